#!/usr/bin/env bash
# make bench: side-by-side timings of etcd-backupd against a raw snapshot save and the usual script,
# on real etcd databases generated here, then the journal (continuous backup) end to end with the
# real binaries (journal_bench below). Writes docs/benchmarks.md.
#   BENCH_SIZES_MB="100 1024"       database sizes (default "100 1024 4096"; 8192 is etcd's largest
#                                   recommended quota: it needs about 45 GB of free disk and an hour)
#   BENCH_REPS=3                    repetitions; the median is reported
#   BENCH_LEVELS=0                  skip the zstd level rows (default and better), which take long
#   BENCH_JOURNAL_ONLY=1            only the journal part: the full-backup sections of docs/benchmarks.md stay
#   BENCH_JOURNAL_SECONDS=20        length of each journal capture run (default 20)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/.tools/bin:$PATH"
SIZES="${BENCH_SIZES_MB:-100 1024 4096}"
JOURNAL_ONLY="${BENCH_JOURNAL_ONLY:-}"
JSECS="${BENCH_JOURNAL_SECONDS:-20}"
REPS="${BENCH_REPS:-3}"
LEVELS="${BENCH_LEVELS:-1}"
WORK="${BENCH_DIR:-$ROOT/.bench}"
BIN="$ROOT/bin/etcd-backupd"
OUT="$ROOT/docs/benchmarks.md"
PORT=42379
MINIO_PORT=42900
RPORT=42479
JPORT=42579
JMETRICS=42589

rm -rf "$WORK"; mkdir -p "$WORK"
cleanup() {
	trap - EXIT
	set +e
	for p in ${ETCD_PID:-} ${MINIO_PID:-} ${DAEMON_PID:-} ${JETCD_PID:-}; do kill "$p" 2>/dev/null; done
	pkill -f "minio server --quiet --address 127.0.0.1:$MINIO_PORT" 2>/dev/null
	pkill -f "data-dir $WORK/restored" 2>/dev/null
	wait 2>/dev/null; gpgconf --homedir "$WORK/gnupg" --kill gpg-agent 2>/dev/null || true
}
trap cleanup EXIT
(cd "$ROOT" && go build -o "$WORK/benchfill" ./internal/benchfill && go build -o "$WORK/benchjournal" ./internal/benchjournal)

export GNUPGHOME="$WORK/gnupg"; mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'bench <bench@example.com>' future-default default 1d
gpg --armor --export bench@example.com >"$WORK/pub.asc"
gpg --armor --export-secret-keys bench@example.com >"$WORK/key.asc"

# MinIO for the S3 runs, with throwaway credentials.
export AWS_ACCESS_KEY_ID=bench$RANDOM AWS_SECRET_ACCESS_KEY=benchsecret$RANDOM$RANDOM
if [[ -z $JOURNAL_ONLY ]]; then
	MINIO_ROOT_USER=$AWS_ACCESS_KEY_ID MINIO_ROOT_PASSWORD=$AWS_SECRET_ACCESS_KEY MINIO_BROWSER=off \
		minio server --quiet --address 127.0.0.1:$MINIO_PORT "$WORK/minio" >"$WORK/minio.log" 2>&1 &
	MINIO_PID=$!
	for i in $(seq 1 100); do
		timeout 5 "$WORK/benchfill" --endpoint "http://127.0.0.1:$MINIO_PORT" --make-bucket bench 2>/dev/null && break
		[[ $i == 100 ]] && { echo "bench: MinIO did not start:"; cat "$WORK/minio.log"; exit 1; }
		sleep 0.3
	done
fi
FPR=$(gpg --with-colons --fingerprint bench@example.com | awk -F: '/^fpr/{print $10; exit}')

# measure NAME CMD...: runs CMD REPS times under /usr/bin/time; appends "name wall user sys maxrss_kb" lines.
# The page cache is dropped before each run, except for a NAME ending in -warm.
measure() {
	local name="$1"; shift
	for r in $(seq 1 "$REPS"); do
		prep_"${name//-/_}" 2>/dev/null || true
		[[ $name == *-warm ]] || { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true; }
		/usr/bin/time -f "$name %e %U %S %M" -a -o "$WORK/times" "$@" >"$WORK/$name.log" 2>&1 \
			|| { echo "bench: $name failed:"; cat "$WORK/$name.log"; exit 1; }
	done
}
prep_run_once_file() { rm -rf "$WORK/store"; }
prep_run_once_warm() { rm -rf "$WORK/store"; }
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

# rss_by_size COLUMN LABEL MAX: the peak RSS of run-once at each size, against MAX MB and flatness
# (every size within 10% of the smallest one's).
rss_by_size() {
	awk -v c="$1" -v l="$2" -v max="$3" '{mb=$c/1024; printf "%s%d MB database: %.0f MB", (NR>1?", ":"- run-once peak RSS by size, " l ": "), $1, mb
		if (NR==1) first=mb; if (mb>m) m=mb; if (mb<lo || NR==1) lo=mb; if (mb>hi) hi=mb}
		END{printf " (targets: at most %d MB: %s; flat, within 10%% of the smallest size: %.0f%%, %s)\n", max, (m<=max?"PASS":"MISS"),
			(hi/first-1)*100, (hi<=first*1.1 && lo>=first*0.9?"PASS":"MISS")}' "$WORK/rss-by-size"
}

full_backups() {
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
			--initial-cluster default=http://127.0.0.1:$((PORT + 1)) --quota-backend-bytes $((10 << 30)) \
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
		# Warm: the database in the page cache, as on a busy member; the raw save first warms it.
		measure raw-save-warm etcdctl --endpoints "http://127.0.0.1:$PORT" snapshot save "$WORK/raw.db"
		rm -f "$WORK/raw.db"
		measure run-once-warm "$BIN" --config "$WORK/file.yaml" run-once
		for level in default better; do
			[[ $LEVELS == 0 ]] && continue
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
			for n in raw-save run-once-file raw-save-warm run-once-warm run-once-s3 run-once-file-s3 script verify-deep restore etcdutl-restore level-default level-better; do
				[[ -n $(stat_of "$n" 2) ]] || continue
				w=$(stat_of "$n" 2); u=$(stat_of "$n" 3); s=$(stat_of "$n" 4); m=$(stat_of "$n" 5)
				awk -v n="$n" -v w="$w" -v u="$u" -v s="$s" -v m="$m" -v db="$DB" \
					'BEGIN{printf "| %s | %.2f | %.0f | %.2f | %.0f |\n", n, w, db/1048576/w, u+s, m/1024}'
			done
			echo
			raw=$(stat_of raw-save 2); once=$(stat_of run-once-file 2); scr=$(stat_of script 2); rss=$(stat_of run-once-file 5)
			wraw=$(stat_of raw-save-warm 2); wonce=$(stat_of run-once-warm 2)
			awk -v r="$wraw" -v o="$wonce" 'BEGIN{t=o/r; printf "- warm page cache: run-once / raw save = %.2fx (target <= 1.10x): %s\n", t, (t<=1.10?"PASS":"MISS")}'
			deep=$(stat_of verify-deep 2); rest=$(stat_of restore 2); base=$(stat_of etcdutl-restore 2)
			awk -v r="$raw" -v o="$once" -v s="$scr" -v m="$rss" -v d="$deep" -v rs="$rest" -v b="$base" 'BEGIN{
				t1=o/r; t2=s/o; t3=d/b; t4=rs/b;
				printf "- cold page cache: run-once / raw save = %.2fx (target <= 1.10x): %s\n", t1, (t1<=1.10?"PASS":"MISS");
				printf "- usual script / run-once = %.1fx (target >= 3.5x): %s\n", t2, (t2>=3.5?"PASS":"MISS");
				printf "- run-once peak RSS = %.0f MB (target <= 100 MB): %s\n", m/1024, (m/1024<=100?"PASS":"MISS");
				printf "- verify --deep / (etcdutl restore + start) = %.2fx (target <= 1.5x): %s\n", t3, (t3<=1.5?"PASS":"MISS");
				printf "- restore to serving / (etcdutl restore + start) = %.2fx (target <= 1.2x): %s\n", t4, (t4<=1.2?"PASS":"MISS") }'
			awk -v p="$SPOOL_PEAK" -v s="$STORED" 'BEGIN{printf "- extra disk: the spool peaked at %.0f MB, the stored object is %.0f MB (target: one spool copy): %s\n",
				p/1048576, s/1048576, (p<=s+1048576?"PASS":"MISS") }'
			echo "$((DB >> 20)) $(stat_of run-once-file 5) $(stat_of run-once-s3 5)" >>"$WORK/rss-by-size"
			[[ $LEVELS == 0 ]] || echo "- zstd levels, run-once to file: fastest $(stat_of run-once-file 2) s, ratio $(ratio "$DB" "$STORED")x;" \
				"default $(stat_of level-default 2) s, ratio $(ratio "$DB" "$STORED_default")x;" \
				"better $(stat_of level-better 2) s, ratio $(ratio "$DB" "$STORED_better")x"
			echo
		} | tee -a "$OUT.new"
		set -e
	done
	rss_by_size 2 "file destination" 100 | tee -a "$OUT.new"
	rss_by_size 3 "S3 destination" 140 | tee -a "$OUT.new"
	echo | tee -a "$OUT.new"
}

# The journal (continuous backup), end to end with the real binaries: one etcd member, the daemon
# (run, journal on) and the load generator (internal/benchjournal) share this machine's cores.
J="$WORK/journal"
JHEAD="## Continuous backup (journal)"

# start_etcd DIR PORT: starts etcd (client PORT, peer PORT+1) on DIR, waits until it answers, sets STARTED_PID.
start_etcd() {
	etcd --data-dir "$1" --name default --listen-client-urls "http://127.0.0.1:$2" \
		--advertise-client-urls "http://127.0.0.1:$2" --listen-peer-urls "http://127.0.0.1:$(($2 + 1))" \
		--initial-advertise-peer-urls "http://127.0.0.1:$(($2 + 1))" --initial-cluster "default=http://127.0.0.1:$(($2 + 1))" \
		--quota-backend-bytes $((8 << 30)) --log-level error >>"$J/etcd-$2.log" 2>&1 &
	STARTED_PID=$!
	for i in $(seq 1 120); do
		etcdctl --endpoints "http://127.0.0.1:$2" endpoint health >/dev/null 2>&1 && return 0
		[[ $i == 120 ]] && { echo "bench: etcd on $1 did not start:"; cat "$J/etcd-$2.log"; exit 1; }
		sleep 0.5
	done
}

journal_config() {
	cat >"$J/daemon.yaml" <<YAML
cluster_name: bench
etcd: {endpoints: [http://127.0.0.1:$JPORT], cacert: "", cert: "", key: ""}
schedule: {backup: "@every 1h", verify: ""}
spool_dir: $J/spool
verify: {scratch_dir: $J/scratch}
encryption: {recipients: [$WORK/pub.asc], private_key: $WORK/key.asc}
destinations: [{url: "file://$J/store"}]
journal: {enabled: true, segment_max_age: 5s, segment_max_bytes: 16MiB}
http: {listen: "127.0.0.1:$JMETRICS"}
log: {level: info}
YAML
}

# capture NAME FLAGS...: one capture run at the highest rate etcd takes, into $J/NAME.env.
capture() {
	local name="$1"; shift
	echo "bench: journal capture $name for ${JSECS}s"
	"$WORK/benchjournal" capture --endpoint "http://127.0.0.1:$JPORT" --metrics "$JM" --prefix "${name}_" \
		--daemon-pid "$DAEMON_PID" --etcd-pid "$JETCD_PID" --wal "$J/store/bench/wal" --duration "${JSECS}s" "$@" >"$J/$name.env"
}

journal_bench() {
	JLOAD=$(cut -d' ' -f1-3 /proc/loadavg)
	mkdir -p "$J"; journal_config
	JM="http://127.0.0.1:$JMETRICS/metrics"
	start_etcd "$J/etcd" "$JPORT"; JETCD_PID=$STARTED_PID
	"$BIN" --config "$J/daemon.yaml" run-once >"$J/run-once.log" 2>&1 || { echo "bench: run-once failed:"; cat "$J/run-once.log"; exit 1; }
	"$BIN" --config "$J/daemon.yaml" run >"$J/daemon.log" 2>&1 &
	DAEMON_PID=$!
	"$WORK/benchjournal" ready --metrics "$JM" || { cat "$J/daemon.log"; exit 1; }
	sleep 10 # idle, the journal watching
	"$WORK/benchjournal" idle --metrics "$JM" --pid "$DAEMON_PID" >"$J/idle.env"
	capture put --clients 64 --per-txn 1
	capture txn8 --clients 16 --per-txn 8
	capture txn32 --clients 16 --per-txn 32
	"$WORK/benchjournal" wal --dir "$J/store/bench/wal" >"$J/wal.env"

	echo "bench: journal RPO: 1,000 puts/s for 15s, then SIGKILL of the daemon and etcd"
	"$WORK/benchjournal" rpo-write --endpoint "http://127.0.0.1:$JPORT" --rate 1000 --duration 15s \
		--kill "$DAEMON_PID,$JETCD_PID" --acks "$J/acks" >"$J/rpo.env"
	wait "$DAEMON_PID" "$JETCD_PID" 2>/dev/null || true
	DAEMON_PID= JETCD_PID=
	rm -rf "$J/etcd"
	echo "bench: journal restore --to-revision latest"
	/usr/bin/time -f "%e %U %S %M" -o "$J/restore.time" "$BIN" --config "$J/daemon.yaml" restore --to-revision latest \
		-w json --data-dir "$J/restored" --name default --initial-cluster "default=http://127.0.0.1:$((RPORT + 1))" \
		--initial-advertise-peer-urls "http://127.0.0.1:$((RPORT + 1))" >"$J/restore.json" 2>"$J/restore.log" \
		|| { echo "bench: restore failed:"; cat "$J/restore.log"; exit 1; }
	start_etcd "$J/restored" "$RPORT"; JETCD_PID=$STARTED_PID
	"$WORK/benchjournal" rpo-check --endpoint "http://127.0.0.1:$RPORT" --acks "$J/acks" --wal "$J/store/bench/wal" \
		--target "$(jq .point_in_time.target_revision "$J/restore.json")" >"$J/check.env"
	kill "$JETCD_PID"; wait "$JETCD_PID" 2>/dev/null || true; JETCD_PID=

	echo "bench: go benchmarks (replay, journal)"
	(cd "$ROOT" && go test -run '^$' -bench 'BenchmarkApply' -benchtime 2s ./replay/) >"$J/go-replay.txt" 2>&1 || true
	(cd "$ROOT" && go test -run '^$' -bench 'BenchmarkRecorder|BenchmarkSegmentEncode' -benchtime 20000x -timeout 20m ./journal/) >"$J/go-journal.txt" 2>&1 || true
}

# journal_report: the journal's section of docs/benchmarks.md, from what journal_bench measured.
journal_report() {
	. "$J/idle.env"; . "$J/put.env"; . "$J/txn8.env"; . "$J/txn32.env"; . "$J/wal.env"; . "$J/rpo.env"; . "$J/check.env"
	local r_wall r_user r_sys r_rss events replay segs
	read -r r_wall r_user r_sys r_rss <"$J/restore.time"
	events=$(jq .point_in_time.events_replayed "$J/restore.json")
	segs=$(jq .point_in_time.segments "$J/restore.json")
	replay=$(jq '.step_seconds.replay' "$J/restore.json")
	echo "$JHEAD"
	echo
	echo "Generated by \`make bench\` on $(date -u +%Y-%m-%d): $(nproc) cores, $(awk -F: '/model name/{print $2; exit}' /proc/cpuinfo | xargs),"
	echo "$(go version | awk '{print $3}'), etcd $(etcd --version | awk '/etcd Version/{print $3}'), one member over loopback (http). The daemon (\`run\`, journal on:"
	echo "segment_max_age 5s, segment_max_bytes 16MiB, zstd fastest, OpenPGP to one key, a file destination), etcd and the load"
	echo "generator (\`internal/benchjournal\`) all run on these $(nproc) cores: every figure is for the three sharing them. One run"
	echo "of each step, end to end with the real binaries (load average when the journal part started: $JLOAD). Values: Kubernetes-like JSON objects of 2 KiB (\`internal/k8sdata\`,"
	echo "4,096 keys overwritten in turn), which the journal stores at $(awk -v p="$wal_plain_bytes" -v s="$wal_stored_bytes" 'BEGIN{printf "%.1fx", p/s}') smaller (zstd, then OpenPGP)."
	echo
	echo "| Measure | Target | Measured | |"
	echo "|---|---|---|---|"
	awk -v acked="$rpo_acked" -v rate="$rpo_puts_per_s" -v lw="$rpo_loss_window_s" -v nr="${rpo_newest_restored_s:-0}" \
		-v lost="$rpo_lost" -v miss="$rpo_missing" -v wrong="$rpo_wrong" -v inex="$rpo_inexact" -v rest="$rpo_restored" \
		-v commits="$rpo_commits" -v worst="$rpo_commit_lag_max_s" -v over="$rpo_commits_over_contract" 'BEGIN{
		ok = (rest > 0 && miss == 0 && wrong == 0 && inex == 0)
		printf "| RPO: %.0f puts/s, daemon and etcd SIGKILLed at T, etcd data dir deleted, `restore --to-revision latest` | every put acknowledged before T - 5 s restored | this kill: %d of %d acknowledged puts lost, all acknowledged in the last %.2f s before T (the newest restored one %.2f s before T); %d acknowledged before T - 5 s missing, %d restored with a wrong value or revision, %d not exactly the target revision'"'"'s. Worst case over the run'"'"'s %d commits (a kill just before one): puts acknowledged up to %.2f s earlier lost, %d of %d commits over 5 s | %s |\n",
			rate, lost, acked, lw, nr, miss, wrong, inex, commits, worst, over, commits,
			!ok ? "MISS" : (over > 0 ? "PASS for this kill; MISS in the worst case" : "PASS") }'
	awk -v pe="$put_steady_events_per_s" -v pl="$put_steady_lag_max_s" -v pw="$put_puts_per_s" \
		-v te="$txn8_steady_events_per_s" -v tl="$txn8_steady_lag_max_s" -v tw="$txn8_puts_per_s" \
		-v xe="$txn32_steady_events_per_s" -v xl="$txn32_steady_lag_max_s" -v xw="$txn32_puts_per_s" 'BEGIN{
		ok = (pe >= 10000 && pl < 5) || (te >= 10000 && tl < 5) || (xe >= 10000 && xl < 5)
		printf "| Capture: events/s journaled, 2 KiB values, lag under segment_max_age (5 s) | at least 10,000/s on 2 cores | one put a revision: %.0f/s, as fast as etcd took them (%.0f puts/s), lag at most %.2f s; 8 puts a revision: %.0f/s (etcd: %.0f puts/s), lag at most %.2f s; 32 puts a revision: %.0f/s (etcd: %.0f puts/s), lag at most %.2f s | %s |\n",
			pe, pw, pl, te, tw, tl, xe, xw, xl, ok ? "PASS" : "MISS" }'
	awk -v ev="$events" -v rs="$replay" -v segs="$segs" -v w="$r_wall" 'BEGIN{
		printf "| Replay speed during restore | at least 20,000 events/s | %.0f events/s: %d events from %d segments in %.1f s (replay step; the whole restore %.1f s) | %s |\n",
			ev/rs, ev, segs, rs, w, (ev/rs >= 20000 ? "PASS" : "MISS") }'
	awk -v idle="$idle_rss_kb" -v a="$put_hwm_kb" -v b="$txn8_hwm_kb" -v c="$txn32_hwm_kb" 'BEGIN{
		peak = (a > b ? a : b); peak = (c > peak ? c : peak); d = (peak - idle) / 1024
		printf "| Daemon RSS while journaling at that rate | at most 64 MB above the idle daemon | peak %.0f MB (VmHWM) - idle %.0f MB = %.0f MB | %s |\n",
			peak/1024, idle/1024, d, (d <= 64 ? "PASS" : "MISS") }'
	awk -v o="$wal_objects" -v m="$wal_manifests" -v d="$wal_data" -v orph="$wal_orphans" -v x="$wal_other" -v e="$wal_events" 'BEGIN{
		ok = (x == 0 && orph == 0 && m == d && o == m + d)
		printf "| Storage cost | one object pair per sealed segment, no object per event | %d objects under wal/ for %d segments (%d manifests, %d data of which %d named by no manifest, %d other) holding %d events: %.0f events an object pair | %s |\n",
			o, m, m, d, orph, x, e, e/m, ok ? "PASS" : "MISS" }'
	echo
	echo "Capture runs, each ${JSECS} s at the highest rate this etcd takes. The steady window leaves out the first 5 s and"
	echo "ends with the last write; lag is from a write's acknowledgement to its segment's commit; after the last write, the"
	echo "open segment waits for segment_max_age (drain)."
	echo
	echo "| Run | Writers | puts/s (etcd) | revisions/s | events/s journaled (metrics) | lag max s (gauge) | drain s | throttled | gaps | CPU cores: daemon / etcd / load | daemon VmHWM MB |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for run in put txn8 txn32; do
		eval "set -- \$${run}_puts_per_s \$${run}_txns_per_s \$${run}_steady_events_per_s \$${run}_metrics_events_per_s \$${run}_steady_lag_max_s \$${run}_gauge_lag_max_s \$${run}_drain_s \$${run}_throttled \$${run}_gaps \$${run}_daemon_cores \$${run}_etcd_cores \$${run}_loadgen_cores \$${run}_hwm_kb"
		awk -v run="$run" -v w="$(case $run in put) echo 64 ;; *) echo 16 ;; esac)" -v pw="$1" -v tr="$2" -v ev="$3" -v evm="$4" -v lg="$5" -v lgg="$6" \
			-v dr="$7" -v th="$8" -v gp="$9" -v cd="${10}" -v ce="${11}" -v cl="${12}" -v rss="${13}" 'BEGIN{
			printf "| %s | %d | %.0f | %.0f | %.0f (%.0f) | %.2f (%.2f) | %.2f | %d | %d | %.2f / %.2f / %.2f | %.0f |\n",
				(run == "put" ? "one put a revision" : (run == "txn8" ? "8 puts a revision" : "32 puts a revision")), w, pw, tr, ev, evm, lg, lgg, dr, th, gp, cd, ce, cl, rss/1024 }'
	done
	echo
	awk -v n="$wal_manifests" -v bs="$wal_sealed_by_size" -v p50="$wal_exposure_p50_s" -v mx="$wal_exposure_max_s" \
		-v plain="$wal_plain_bytes" -v st="$wal_stored_bytes" -v rw="$r_wall" -v ru="$r_user" -v rsy="$r_sys" -v rr="$r_rss" 'BEGIN{
		printf "- Segments: %d committed (%d sealed at 16 MiB, the rest at 5 s), %.0f MB plain, %.0f MB stored; a segment waited %.2f s (median) and at most %.2f s from its first revision to its commit.\n",
			n, bs, plain/1048576, st/1048576, p50, mx
		printf "- restore --to-revision latest: %.1f s wall, %.1f CPU s, peak RSS %.0f MB (verify the base backup, read and replay every segment, etcd'"'"'s restore).\n",
			rw, ru+rsy, rr/1024 }'
	echo "- How: \`make bench\` (\`BENCH_JOURNAL_ONLY=1\` runs this part alone). A full backup (\`run-once\`), then the daemon; idle RSS"
	echo "  after 10 s with the journal watching. Each capture run records every acknowledged revision and its time, and"
	echo "  samples the daemon's /metrics (journal_lag_seconds, journal_events_total, journal_throttled_total) and VmRSS"
	echo "  every second. Events/s journaled: the events of the segments committed in the steady window over the time between"
	echo "  the first and the last commit (from the manifests; in parentheses, the rate of journal_events_total between the"
	echo "  samples, which moves by whole segments). Lag: for each segment committed in the window, its manifest file's time"
	echo "  minus the acknowledgement of its earliest write (this includes any delay in etcd's watch, which the gauge, in"
	echo "  parentheses, does not see). RSS: the daemon's VmHWM after the run minus its VmRSS when idle. The RPO run writes one new key a"
	echo "  revision at 1,000/s, records each acknowledgement's time, SIGKILLs both processes at once (T), deletes etcd's"
	echo "  data dir, restores into a new one, starts etcd on it and compares every acknowledged put (value and revision)."
	echo "  Its segments are sealed by age (2 MB/s fills none), and the kill comes 15 s after the first write: about three"
	echo "  segment_max_age later, just before a commit, near the worst case. The worst case is also computed: for every"
	echo "  commit of the run, its time minus the acknowledgement of the earliest put it holds."
	echo "  Replay speed is the events replayed over the restore's replay step (\`-w json\`: \`point_in_time.events_replayed\`,"
	echo "  \`step_seconds.replay\`), which includes reading, decrypting and decompressing the segments."
	echo
	echo "Go benchmarks (\`go test -run '^\$' -bench BenchmarkApply -benchtime 2s ./replay/\`, \`-bench 'BenchmarkRecorder|BenchmarkSegmentEncode' -benchtime 20000x ./journal/\`),"
	echo "after the end-to-end part, on the same machine (the recorder's with an etcd of its own and segments of 1 s):"
	echo
	echo '```'
	grep -hE '^(Benchmark|FAIL|---|panic)|\[build failed\]|cannot|undefined' "$J/go-replay.txt" "$J/go-journal.txt" | sed 's/[[:space:]]\+/ /g'
	echo '```'
	echo
}

if [[ -z $JOURNAL_ONLY ]]; then
	full_backups
elif [[ -f $OUT ]]; then # keep the full-backup sections: everything before the journal's or the notes
	awk -v j="$JHEAD" -v notes="$(head -1 "$ROOT/docs/benchmarks-notes.md")" '$0 == j || $0 == notes {exit} {print}' "$OUT" >"$OUT.new"
else
	printf '# Benchmarks\n\n' >"$OUT.new"
fi
journal_bench
journal_report | tee -a "$OUT.new"
cat "$ROOT/docs/benchmarks-notes.md" >>"$OUT.new"
mv "$OUT.new" "$OUT"
echo "bench: wrote $OUT"
exit 0
