#!/usr/bin/env bash
# make demo: a real etcd with mTLS and sample keys, a throwaway OpenPGP key, one encrypted backup to a
# file destination, the listing, and a decryption by hand with gpg, zstd and etcdutl; then, as a
# recovery host holding the private key: verify, verify --deep, restore, and the real etcd serving
# the restored data dir. Then continuous backup: the daemon journals every write, and a restore to a
# revision between two full backups serves exactly what that revision held.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/demo-out"
BIN="$ROOT/bin/etcd-backupd"
export PATH="$ROOT/.tools/bin:$PATH"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

rm -rf "$OUT"
mkdir -p "$OUT/pki"
cleanup() {
	for pid in ${DAEMON_PID:-} ${PITR_PID:-} ${RESTORED_PID:-} ${ETCD_PID:-}; do { kill "$pid" && wait "$pid"; } 2>/dev/null || true; done
	gpgconf --homedir "$OUT/gnupg" --kill gpg-agent 2>/dev/null || true
}
trap cleanup EXIT

step "A throwaway CA, server and client certificates (what kubeadm puts in /etc/kubernetes/pki/etcd)"
cd "$OUT/pki"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=demo-etcd-ca \
	-keyout ca.key -out ca.crt 2>/dev/null
for who in server client; do
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=demo-$who" \
		-keyout "$who.key" -out "$who.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' >"$who.ext"
	openssl x509 -req -in "$who.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile "$who.ext" \
		-out "$who.crt" 2>/dev/null
done
chmod 600 ./*.key
ls -1 "$OUT/pki"/*.crt

step "An embedded etcd on https://127.0.0.1:32379, client certificates required, 5000 Kubernetes-like keys"
(cd "$ROOT" && go build -o "$OUT/demoetcd" ./internal/demoetcd)
"$OUT/demoetcd" --dir "$OUT/etcd-data" --pki "$OUT/pki" --keys 5000 >"$OUT/etcd.log" 2>&1 &
ETCD_PID=$!
for _ in $(seq 1 120); do grep -q serving "$OUT/etcd.log" && break; sleep 0.5; done
cat "$OUT/etcd.log"

step "A throwaway OpenPGP key pair; the backup node gets the public key only"
export GNUPGHOME="$OUT/gnupg"
mkdir -m 700 "$GNUPGHOME"
show gpg --batch --quiet --passphrase '' --quick-gen-key 'etcd backups <backups@example.com>' future-default default 1d
gpg --armor --export backups@example.com >"$OUT/backup.pub.asc"

cat >"$OUT/config.yaml" <<YAML
cluster_name: demo
etcd:
  endpoints: [https://127.0.0.1:32379]
  cacert: $OUT/pki/ca.crt
  cert: $OUT/pki/client.crt
  key: $OUT/pki/client.key
schedule:
  backup: "@every 15m"
  verify: ""          # drills need the private key; this node has only the public one
spool_dir: $OUT/spool
encryption:
  recipients: [$OUT/backup.pub.asc]
destinations:
  - url: file://$OUT/backups
http:
  listen: ""
log:
  format: console
YAML
step "The config"
cat "$OUT/config.yaml"
export ETCD_BACKUPD_CONFIG="$OUT/config.yaml"

step "Validate it, take a backup, list the backups"
show "$BIN" config validate
show "$BIN" run-once
show "$BIN" list
show find "$OUT/backups" -type f -printf '%m %10s %p\n'

step "Decrypt by hand, as an operator would without etcd-backupd"
DATA=$(ls "$OUT"/backups/demo/snapshots/*.db.zst.pgp)
printf '$ gpg --decrypt %s | zstd -d > snapshot.db\n' "$(basename "$DATA")"
gpg --batch --quiet --decrypt "$DATA" | zstd -d -q >"$OUT/snapshot.db"
show etcdutl snapshot status "$OUT/snapshot.db" -w table
printf '\nThe manifest, the commit marker of the backup:\n'
cat "$OUT"/backups/demo/snapshots/*.json

step "A recovery host: the same config plus the private key (backup nodes never hold it)"
gpg --armor --export-secret-keys backups@example.com >"$OUT/backup.sec.asc"
chmod 600 "$OUT/backup.sec.asc"
sed "s|^  recipients: .*|&\n  private_key: $OUT/backup.sec.asc|" "$OUT/config.yaml" >"$OUT/recovery.yaml"
show grep -A2 '^encryption:' "$OUT/recovery.yaml"
export ETCD_BACKUPD_CONFIG="$OUT/recovery.yaml"

step "Verify: quick (every checksum), then deep (restore into a scratch dir, serve it, compare)"
show "$BIN" verify
show "$BIN" verify --deep
show "$BIN" list

step "Restore the latest backup into a new data dir (Kubernetes data: the revision bump is the default)"
RESTORED="$OUT/restored.etcd"
show "$BIN" restore latest --data-dir "$RESTORED" --name restored \
	--initial-advertise-peer-urls http://127.0.0.1:32480

step "Start the real etcd binary on the restored data dir and read the keys back"
show etcd --version
etcd --name restored --data-dir "$RESTORED" --listen-peer-urls http://127.0.0.1:32480 \
	--initial-advertise-peer-urls http://127.0.0.1:32480 --listen-client-urls http://127.0.0.1:32479 \
	--advertise-client-urls http://127.0.0.1:32479 --log-level error >"$OUT/restored-etcd.log" 2>&1 &
RESTORED_PID=$!
export ETCDCTL_ENDPOINTS=http://127.0.0.1:32479
for _ in $(seq 1 120); do etcdctl endpoint health >/dev/null 2>&1 && break; sleep 0.5; done
show etcdctl endpoint status -w table
show etcdctl get /registry/ --prefix --count-only -w fields
show etcdctl get /registry/secrets/ --prefix --keys-only --limit 5
kill "$RESTORED_PID" && wait "$RESTORED_PID" 2>/dev/null || true
RESTORED_PID=

step "Continuous backup: the daemon journals every write between full backups (journal.enabled)"
cat >>"$OUT/recovery.yaml" <<YAML
journal:
  enabled: true
  segment_max_age: 1s
YAML
show tail -3 "$OUT/recovery.yaml"
"$BIN" run >"$OUT/daemon.log" 2>&1 &
DAEMON_PID=$!
unset ETCDCTL_ENDPOINTS
SRC=(--endpoints https://127.0.0.1:32379 --cacert "$OUT/pki/ca.crt" --cert "$OUT/pki/client.crt" --key "$OUT/pki/client.key")
revision() { etcdctl "${SRC[@]}" endpoint status -w json | sed -E 's/.*"revision":([0-9]+).*/\1/'; }
printf 'writing demo/counter 1..100 and demo/pod-N, one write at a time\n'
for i in $(seq 1 100); do
	etcdctl "${SRC[@]}" put demo/counter "$i" >/dev/null
	if ((i % 10 == 0)); then etcdctl "${SRC[@]}" put "demo/pod-$i" "created at $i" >/dev/null; fi
	if ((i == 60)); then TARGET=$(revision); fi
done
printf 'the revision to come back to, after write 60: %s\n' "$TARGET"
show etcdctl "${SRC[@]}" get demo/ --prefix --rev "$TARGET" -w simple
etcdctl "${SRC[@]}" get demo/ --prefix --rev "$TARGET" -w json | sed -E 's/"header":\{[^}]*\},?//' >"$OUT/at-target.json"
step "A second full backup, more writes, then the journal up to date"
show "$BIN" run-once
for i in $(seq 101 150); do etcdctl "${SRC[@]}" put demo/counter "$i" >/dev/null; done
sleep 3
show "$BIN" list
kill "$DAEMON_PID" && wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
show "$BIN" verify --journal --deep

step "Restore exactly revision $TARGET, between the two full backups, and serve it"
PITR="$OUT/restored-pitr.etcd"
show "$BIN" restore --to-revision "$TARGET" --no-bump-revision --data-dir "$PITR" --name pitr \
	--initial-advertise-peer-urls http://127.0.0.1:32580
etcd --name pitr --data-dir "$PITR" --listen-peer-urls http://127.0.0.1:32580 \
	--initial-advertise-peer-urls http://127.0.0.1:32580 --listen-client-urls http://127.0.0.1:32579 \
	--advertise-client-urls http://127.0.0.1:32579 --log-level error >"$OUT/pitr-etcd.log" 2>&1 &
PITR_PID=$!
export ETCDCTL_ENDPOINTS=http://127.0.0.1:32579
for _ in $(seq 1 120); do etcdctl endpoint health >/dev/null 2>&1 && break; sleep 0.5; done
show etcdctl get demo/ --prefix -w simple
etcdctl get demo/ --prefix -w json | sed -E 's/"header":\{[^}]*\},?//' >"$OUT/restored.json"
if cmp -s "$OUT/at-target.json" "$OUT/restored.json"; then
	printf '\nThe restored member serves exactly what revision %s held: keys, values, revisions, versions.\n' "$TARGET"
else
	printf '\nMISMATCH between revision %s and the restored member:\n' "$TARGET"
	diff "$OUT/at-target.json" "$OUT/restored.json" || true
	exit 1
fi

printf '\n\nDemo done; everything is under %s\n' "$OUT"
