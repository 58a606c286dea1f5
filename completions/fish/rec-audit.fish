# fish completion for rec-audit, generated from its option table
complete -c rec-audit -f
complete -c rec-audit -l verify -d 'check the hash chain and the conservation of every range'
complete -c rec-audit -l db -r -F -d 'ledger file (default $XDG_DATA_HOME/wattpipe/rec.db)'
complete -c rec-audit -l busy-timeout -r -f -d 'wait this long for another writer (default 5000)'
complete -c rec-audit -l output -s o -r -f -a 'ndjson csv tsv table' -d 'ndjson, csv, tsv or table (default: table on a terminal, else ndjson)'
complete -c rec-audit -l fields -r -f -d 'comma-separated fields to output, in order'
complete -c rec-audit -l jq -r -f -d 'jq filter applied to every output record'
complete -c rec-audit -l no-header -d 'CSV/TSV without the header row'
complete -c rec-audit -l config -r -F -d 'config file (default $XDG_CONFIG_HOME/wattpipe/config)'
complete -c rec-audit -l verbose -s v -d 'trace requests on stderr, secrets redacted'
complete -c rec-audit -l quiet -s q -d 'no progress or notices on stderr'
complete -c rec-audit -l help -s h -d 'show this help and exit'
complete -c rec-audit -l version -d 'show the version and exit'
