# iris-listen: messages stored durably per second from the fake broker, and
# the receive-to-accept latency, for 1 KB and 100 KB bodies. Anchor: the
# same number of files written with the same durability (write, fsync,
# rename, fsync dir) by a Python loop with no AMQP at all, i.e. what the
# disk allows.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$BENCH_TMP/iris-listen
mkdir -p "$dir"
(umask 077; echo test-secret >"$dir/secret")
if ! /usr/bin/python3 -c 'import proton' 2>/dev/null; then
	echo "skipped: python3-qpid-proton missing"
	exit 0
fi

anchor() { # N SIZE: seconds for N durable writes of SIZE bytes
	/usr/bin/python3 - "$dir/anchor" "$1" "$2" <<'EOP'
import os, sys, time
d, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(d, exist_ok=True)
body = b"x" * size
dfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
t = time.monotonic()
for i in range(n):
    tmp, final = "%s/.f%d.tmp" % (d, i), "%s/f%d.json" % (d, i)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.write(fd, body)
    os.fsync(fd)
    os.close(fd)
    os.rename(tmp, final)
    os.fsync(dfd)
print("%.3f" % (time.monotonic() - t))
EOP
	rm -rf "$dir/anchor"
}

one() { # N SIZE CREDIT
	rm -rf "$dir/spool" "$dir/port" "$dir/amqp"
	/usr/bin/python3 "$top/tests/fakes/iris" --port-file "$dir/port" --amqp-port-file "$dir/amqp" \
		--log /dev/null --generate "$1" --body-size "$2" 2>/dev/null &
	fake=$!
	while [ ! -s "$dir/port" ]; do sleep 0.05; done
	t0=$(date +%s.%N)
	iris-listen --once --idle 0.5 --credit "$3" --dir "$dir/spool" \
		--client-id test-client --queue test-queue --secret-file "$dir/secret" \
		--amqp-url "amqp://127.0.0.1:$(cat "$dir/amqp")" \
		--token-url "http://127.0.0.1:$(cat "$dir/port")/test-tenant/oauth2/v2.0/token" \
		2>"$dir/err" >/dev/null || { cat "$dir/err"; kill $fake; exit 1; }
	t1=$(date +%s.%N)
	kill $fake
	wait $fake 2>/dev/null || true
	stored=$(find "$dir/spool" -name '*.json' | wc -l)
	lat=$(sed -n 's/.*p50 \([0-9.]*\) ms, p99 \([0-9.]*\) ms.*/\1 \2/p' "$dir/err")
	a=$(anchor "$1" "$(($2 * 1))")
	awk -v n="$stored" -v s="$2" -v c="$3" -v t0="$t0" -v t1="$t1" -v a="$a" -v lat="$lat" 'BEGIN {
		split(lat, l, " "); w = t1 - t0 - 0.5
		printf "%5d msgs x %6d B, credit %2d: %7.0f msg/s (%.2f s), p50 %s ms, p99 %s ms; anchor %7.0f files/s; ratio %.2f\n",
			n, s, c, n / w, w, l[1], l[2], n / a, (n / w) / (n / a)
	}'
}

one 2000 1000 5
one 2000 1000 50
one 200 100000 5
