# 30-iris.sh (sourced by scripts/demo): Elexon IRIS from the local fake
# Service Bus queue: iris-listen stores each message durably, then
# iris-records turns the files into a table. With real credentials (client
# id, queue, tenant, IRIS_CLIENT_SECRET) and no IRIS_* URLs, the same
# commands reach Elexon.
demo_fake iris --amqp-port-file "$DEMO/iris.amqp" --messages "$top/tests/data/iris/messages.ndjson" \
	--generate 20 --trickle 10 >"$DEMO/iris.url"
IRIS_URL=$(cat "$DEMO/iris.url")
export IRIS_AMQP_URL="amqp://127.0.0.1:$(cat "$DEMO/iris.amqp")" \
	IRIS_TOKEN_URL="$IRIS_URL/test-tenant/oauth2/v2.0/token" \
	IRIS_CLIENT_ID=test-client IRIS_QUEUE=test-queue IRIS_TENANT_ID=test-tenant \
	IRIS_CLIENT_SECRET=test-secret IRIS_DIR="$DEMO/iris"

say "iris-listen --once --idle 1   # 28 messages trickling in for ~3 s; one is not JSON"
iris-listen --once --idle 1
say "find \$IRIS_DIR -type f | sort | head -12"
(cd "$IRIS_DIR" && find . -type f ! -name .lock | sort | head -12)
say "iris-records --dataset FREQ | wp-fmt -o table | head -8"
iris-records -q --dataset FREQ | wp-fmt -o table | head -8
say "iris-records --dataset BOALF | wp-fmt -o table --fields bmUnit,acceptanceNumber,timeFrom,levelFrom,levelTo"
iris-records -q --dataset BOALF | wp-fmt -o table --fields bmUnit,acceptanceNumber,timeFrom,levelFrom,levelTo
