#!/usr/bin/env bash
# make bench: side-by-side timings of etcd-backupd against a raw snapshot save and the usual script,
# on real etcd databases generated here. Writes docs/benchmarks.md.
#   BENCH_SIZES_MB="100 1024"       database sizes (default "100 1024 4096")
#   BENCH_REPS=3                    repetitions; the median is reported
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/.tools/bin:$PATH"
SIZES="${BENCH_SIZES_MB:-100 1024 4096}"
REPS="${BENCH_REPS:-3}"
WORK="${BENCH_DIR:-$ROOT/.bench}"
BIN="$ROOT/bin/etcd-backupd"
OUT="$ROOT/docs/benchmarks.md"
PORT=42379
MINIO_PORT=42900
RPORT=42479

rm -rf "$WORK"; mkdir -p "$WORK"
cleanup() {
	trap - EXIT
	set +e
	for p in ${ETCD_PID:-} ${MINIO_PID:-}; do kill "$p" 2>/dev/null; done
	pkill -f "minio server --quiet --address 127.0.0.1:$MINIO_PORT" 2>/dev/null
	pkill -f "data-dir $WORK/restored" 2>/dev/null
	wait 2>/dev/null; gpgconf --homedir "$WORK/gnupg" --kill gpg-agent 2>/dev/null || true
}
trap cleanup EXIT
(cd "$ROOT" && go build -o "$WORK/benchfill" ./internal/benchfill)

export GNUPGHOME="$WORK/gnupg"; mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'bench <bench@example.com>' future-default default 1d
gpg --armor --export bench@example.com >"$WORK/pub.asc"
gpg --armor --export-secret-keys bench@example.com >"$WORK/key.asc"

# MinIO for the S3 runs, with throwaway credentials.
export AWS_ACCESS_KEY_ID=bench$RANDOM AWS_SECRET_ACCESS_KEY=benchsecret$RANDOM$RANDOM
MINIO_ROOT_USER=$AWS_ACCESS_KEY_ID MINIO_ROOT_PASSWORD=$AWS_SECRET_ACCESS_KEY MINIO_BROWSER=off \
	minio server --quiet --address 127.0.0.1:$MINIO_PORT "$WORK/minio" >"$WORK/minio.log" 2>&1 &
MINIO_PID=$!
for i in $(seq 1 100); do
	timeout 5 "$WORK/benchfill" --endpoint "http://127.0.0.1:$MINIO_PORT" --make-bucket bench 2>/dev/null && break
	[[ $i == 100 ]] && { echo "bench: MinIO did not start:"; cat "$WORK/minio.log"; exit 1; }
	sleep 0.3
done
FPR=$(gpg --with-colons --fingerprint bench@example.com | awk -F: '/^fpr/{print $10; exit}')

# measure NAME CMD...: runs CMD REPS times under /usr/bin/time; appends "name wall user sys maxrss_kb" lines.
measure() {
	local name="$1"; shift
	for r in $(seq 1 "$REPS"); do
		prep_"${name//-/_}" 2>/dev/null || true
		sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
		/usr/bin/time -f "$name %e %U %S %M" -a -o "$WORK/times" "$@" >"$WORK/$name.log" 2>&1 \
			|| { echo "bench: $name failed:"; cat "$WORK/$name.log"; exit 1; }
	done
}
prep_run_once_file() { rm -rf "$WORK/store"; }
prep_level_default() { rm -rf "$WORK/store"; }
prep_level_better() { rm -rf "$WORK/store"; }
prep_run_once_file_s3() { rm -rf "$WORK/store"; }
prep_script() { rm -rf "$WORK/script" && mkdir -p "$WORK/script/dest"; }
prep_restore() { pkill -f "data-dir $WORK/restored" 2>/dev/null || true; sleep 0.5; rm -rf "$WORK/restored"; }
prep_etcdutl_restore() { prep_restore; }

# config NAME DESTINATIONS [LEVEL]: a config backing up to DESTINATIONS, a YAML list, at zstd LEVEL.
config() {
	cat >"$WORK/$1.yaml" <<YAML
cluster_name: bench
compression_level: ${3:-fastest}
etcd: {endpoints: [http://127.0.0.1:$PORT], cacert: "", cert: "", key: ""}
schedule: {backup: "@hourly", verify: ""}
spool_dir: $WORK/spool
verify: {scratch_dir: $WORK/scratch}
encryption: {recipients: [$WORK/pub.asc], private_key: $WORK/key.asc}
destinations: $2
http: {listen: ""}
log: {level: info}
YAML
}

# serve DIR: starts etcd on a restored data dir and waits until it answers; then stops it.
serve() {
	etcd --data-dir "$1" --name default --listen-client-urls "http://127.0.0.1:$RPORT" \
		--advertise-client-urls "http://127.0.0.1:$RPORT" --listen-peer-urls "http://127.0.0.1:$((RPORT + 1))" \
		--initial-advertise-peer-urls "http://127.0.0.1:$((RPORT + 1))" --log-level error &
	local pid=$!
	until etcdctl --endpoints "http://127.0.0.1:$RPORT" get --limit 1 / --prefix --keys-only >/dev/null 2>&1; do sleep 0.05; done
	kill "$pid"; wait "$pid" 2>/dev/null || true
}
restore_ours() {
	"$BIN" --config "$WORK/file.yaml" restore latest --data-dir "$WORK/restored" --name default \
		--initial-cluster "default=http://127.0.0.1:$((RPORT + 1))" \
		--initial-advertise-peer-urls "http://127.0.0.1:$((RPORT + 1))" >/dev/null && serve "$WORK/restored"
}
restore_etcdutl() {
	etcdutl snapshot restore "$WORK/plain.db" --data-dir "$WORK/restored" --name default \
		--initial-cluster "default=http://127.0.0.1:$((RPORT + 1))" \
		--initial-advertise-peer-urls "http://127.0.0.1:$((RPORT + 1))" >/dev/null 2>&1 && serve "$WORK/restored"
}
export -f serve restore_ours restore_etcdutl; export BIN RPORT

script_backup() {
	etcdctl --endpoints "http://127.0.0.1:$PORT" snapshot save "$WORK/script/s.db" >/dev/null &&
		etcdutl snapshot status "$WORK/script/s.db" >/dev/null &&
		gpg --batch --yes --trust-model always -r "$FPR" -o "$WORK/script/s.db.gpg" --encrypt "$WORK/script/s.db" &&
		cp "$WORK/script/s.db.gpg" "$WORK/script/dest/" && rm -f "$WORK/script/s.db"
}
export -f script_backup; export WORK PORT FPR

median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
stat_of() { awk -v n="$1" -v c="$2" '$1==n{print $c}' "$WORK/times" | median; }
stored() { find "$WORK/store" -name '*.pgp' -printf '%s\n' | sort -n | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
# spool_peak: one more run-once to file, printing the largest size the spool dir reached meanwhile.
spool_peak() {
	rm -rf "$WORK/store"
	"$BIN" --config "$WORK/file.yaml" run-once >/dev/null 2>&1 &
	local pid=$! peak=0 now
	while kill -0 "$pid" 2>/dev/null; do
		now=$(du -sb "$WORK/spool" 2>/dev/null | cut -f1); ((now > peak)) && peak=$now
		sleep 0.05
	done
	wait "$pid"; echo "$peak"
}

{
	echo "# Benchmarks"
	echo
	echo "Generated by \`make bench\` on $(date -u +%Y-%m-%d): $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM,"
	echo "$(awk -F: '/model name/{print $2; exit}' /proc/cpuinfo | xargs), $(go version | awk '{print $3}'), etcd $(etcd --version | awk '/etcd Version/{print $3}')."
	echo "Median of $REPS runs, page cache dropped before each run where allowed. etcd over loopback (http)."
	echo
} >"$OUT.new"

: >"$WORK/rss-by-size"
for mb in $SIZES; do
	: >"$WORK/times"
	rm -rf "$WORK/etcd"
	etcd --data-dir "$WORK/etcd" --listen-client-urls "http://127.0.0.1:$PORT" --advertise-client-urls "http://127.0.0.1:$PORT" \
		--listen-peer-urls http://127.0.0.1:$((PORT + 1)) --initial-advertise-peer-urls http://127.0.0.1:$((PORT + 1)) \
		--initial-cluster default=http://127.0.0.1:$((PORT + 1)) --quota-backend-bytes $((8 << 30)) \
		--log-level error >"$WORK/etcd.log" 2>&1 &
	ETCD_PID=$!
	for _ in $(seq 1 60); do etcdctl --endpoints "http://127.0.0.1:$PORT" endpoint health >/dev/null 2>&1 && break; sleep 0.5; done
	echo "bench: filling ${mb} MB"
	"$WORK/benchfill" --endpoint "http://127.0.0.1:$PORT" --size-mb "$mb"
	config file "[{url: \"file://$WORK/store\"}]"
	S3URL="s3://bench/etcd?endpoint=http://127.0.0.1:$MINIO_PORT&use_path_style=true&region=us-east-1"
	config s3 "[{url: \"$S3URL\"}]"
	config both "[{url: \"file://$WORK/store\"}, {url: \"$S3URL\"}]"
	measure raw-save etcdctl --endpoints "http://127.0.0.1:$PORT" snapshot save "$WORK/raw.db"
	DB=$(stat -c %s "$WORK/raw.db"); mv "$WORK/raw.db" "$WORK/plain.db"
	measure run-once-file "$BIN" --config "$WORK/file.yaml" run-once
	STORED=$(stored); SPOOL_PEAK=$(spool_peak)
	for level in default better; do
		config "$level" "[{url: \"file://$WORK/store\"}]" "$level"
		measure "level-$level" "$BIN" --config "$WORK/$level.yaml" run-once
		eval "STORED_${level}=\$(stored)"
	done
	measure run-once-s3 "$BIN" --config "$WORK/s3.yaml" run-once
	measure run-once-file-s3 "$BIN" --config "$WORK/both.yaml" run-once
	measure script bash -c script_backup
	measure verify-deep "$BIN" --config "$WORK/file.yaml" verify --deep latest
	measure restore bash -c restore_ours
	measure etcdutl-restore bash -c restore_etcdutl
	rm -f "$WORK/plain.db"; prep_restore
	kill "$ETCD_PID"; wait "$ETCD_PID" 2>/dev/null || true; ETCD_PID=
	set +e # the report below only reads what was measured
	{
		echo "## $((DB >> 20)) MB database (stored: $((STORED >> 20)) MB, ratio $(ratio "$DB" "$STORED")x)"
		echo
		echo "| Run | Wall s | MB/s | CPU s | Peak RSS MB |"
		echo "|---|---:|---:|---:|---:|"
		for n in raw-save run-once-file run-once-s3 run-once-file-s3 script verify-deep restore etcdutl-restore level-default level-better; do
			w=$(stat_of "$n" 2); u=$(stat_of "$n" 3); s=$(stat_of "$n" 4); m=$(stat_of "$n" 5)
			awk -v n="$n" -v w="$w" -v u="$u" -v s="$s" -v m="$m" -v db="$DB" \
				'BEGIN{printf "| %s | %.2f | %.0f | %.2f | %.0f |\n", n, w, db/1048576/w, u+s, m/1024}'
		done
		echo
		raw=$(stat_of raw-save 2); once=$(stat_of run-once-file 2); scr=$(stat_of script 2); rss=$(stat_of run-once-file 5)
		deep=$(stat_of verify-deep 2); rest=$(stat_of restore 2); base=$(stat_of etcdutl-restore 2)
		awk -v r="$raw" -v o="$once" -v s="$scr" -v m="$rss" -v d="$deep" -v rs="$rest" -v b="$base" 'BEGIN{
			t1=o/r; t2=s/o; t3=d/b; t4=rs/b;
			printf "- run-once / raw save = %.2fx (target <= 1.15x): %s\n", t1, (t1<=1.15?"PASS":"MISS");
			printf "- usual script / run-once = %.1fx (target >= 3x): %s\n", t2, (t2>=3?"PASS":"MISS");
			printf "- run-once peak RSS = %.0f MB (target <= 100 MB): %s\n", m/1024, (m/1024<=100?"PASS":"MISS");
			printf "- verify --deep / (etcdutl restore + start) = %.2fx (target <= 2x): %s\n", t3, (t3<=2?"PASS":"MISS");
			printf "- restore to serving / (etcdutl restore + start) = %.2fx (target <= 1.5x): %s\n", t4, (t4<=1.5?"PASS":"MISS") }'
		awk -v p="$SPOOL_PEAK" -v s="$STORED" 'BEGIN{printf "- extra disk: the spool peaked at %.0f MB, the stored object is %.0f MB (target: one spool copy): %s\n",
			p/1048576, s/1048576, (p<=s+1048576?"PASS":"MISS") }'
		echo "$((DB >> 20)) $(stat_of run-once-file 5)" >>"$WORK/rss-by-size"
		echo "- zstd levels, run-once to file: fastest $(stat_of run-once-file 2) s, ratio $(ratio "$DB" "$STORED")x;" \
			"default $(stat_of level-default 2) s, ratio $(ratio "$DB" "$STORED_default")x;" \
			"better $(stat_of level-better 2) s, ratio $(ratio "$DB" "$STORED_better")x"
		echo
	} | tee -a "$OUT.new"
	set -e
done
awk '{printf "%s%d MB database: %.0f MB", (NR>1?", ":"- run-once peak RSS by size: "), $1, $2/1024; if ($2/1024>m) m=$2/1024}
	END{printf " (target: at most 100 MB at every size): %s\n\n", (m<=100?"PASS":"MISS")}' "$WORK/rss-by-size" | tee -a "$OUT.new"
cat "$ROOT/docs/benchmarks-notes.md" >>"$OUT.new"
mv "$OUT.new" "$OUT"
echo "bench: wrote $OUT"
exit 0
