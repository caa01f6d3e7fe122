package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/internal/kubetest"
)

// TestKubernetesRestore proves a restore with a real kube-apiserver: objects of every kind, Secrets
// encrypted at rest, a backup, changes, the loss of etcd's data and of /etc/kubernetes, a restore
// with the defaults and the kit, and the API server again on the restored cluster.
func TestKubernetesRestore(t *testing.T) {
	for _, n := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d members", n), func(t *testing.T) { kubernetesRestore(t, n) })
	}
}

func kubernetesRestore(t *testing.T, members int) {
	c := etcdtest.StartCluster(t, members)
	node := newKubeNode(t, c.PKI, encryptionConfig(randomKey(t, 32), randomKey(t, 32), randomKey(t, 32)))
	api := kubetest.Start(t, kubetest.Options{Etcd: c.Endpoints(), PKI: c.PKI, EncryptionConfig: node.encConfig})
	api.Apply(t, widgetCRD)
	api.Kubectl(t, "wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=60s")
	api.Apply(t, kubeObjects)
	api.Apply(t, widgets)
	assertEncryptedAtRest(t, c.Client(t), node)
	before := kubeState(t, api)
	oldRV := listRV(t, api)

	e := newKubeEnv(t, c)
	e.cfg["kit"] = map[string]any{"enabled": true, "paths": node.paths}
	m := e.runOnce()
	if m.Kit == nil || m.Kit.EncryptionConfig != node.encConfig {
		t.Fatalf("backup kit %+v; want one holding %s", m.Kit, node.encConfig)
	}
	assertDeepVerifies(t, e, m.ID)

	// Changes after the backup, which the restore must not bring back.
	api.Kubectl(t, "create", "configmap", "after-backup", "-n", "shop", "--from-literal=x=1")
	api.Kubectl(t, "delete", "secret", "api-token", "-n", "shop")
	api.Kubectl(t, "patch", "configmap", "settings", "-n", "shop", "-p", `{"data":{"mode":"changed"}}`)

	// The disaster: the API server and etcd stop, every data dir and /etc/kubernetes are lost.
	api.Stop()
	if err := os.RemoveAll(node.root); err != nil {
		t.Fatal(err)
	}
	specs := make([]etcdtest.ProcSpec, members)
	var peers []string
	for i, p := range c.Members {
		p.Kill()
		if err := os.RemoveAll(p.DataDir); err != nil {
			t.Fatal(err)
		}
		specs[i] = etcdtest.ProcSpec{Name: p.Name, DataDir: p.DataDir,
			PeerURL: fmt.Sprintf("https://127.0.0.1:%d", etcdtest.FreePort(t))}
		peers = append(peers, p.Name+"="+specs[i].PeerURL)
	}

	kitDir := filepath.Join(t.TempDir(), "kit")
	res := restoreKube(t, e, specs, strings.Join(peers, ","), kitDir)
	if !res.Kubernetes || !res.BumpAutomatic || res.Revision != m.Snapshot.Revision+1_000_000_000 {
		t.Fatalf("restore without flags: %+v; want Kubernetes data bumped by 1,000,000,000", res.RestoreResult)
	}
	enc := filepath.Join(kitDir, node.encConfig)
	if res.Kit == nil || res.Kit.EncryptionConfig != enc {
		t.Fatalf("restore --kit-dir wrote %+v; want the EncryptionConfiguration at %s", res.Kit, enc)
	}
	restored := etcdtest.StartProcs(t, c.PKI, specs)
	// The API server reads its Secrets with the EncryptionConfiguration the kit brought back.
	api = kubetest.Start(t, kubetest.Options{Etcd: restored.Endpoints(), PKI: c.PKI, EncryptionConfig: enc})

	assertSameState(t, before, kubeState(t, api))
	if got := secretValue(t, api, "db-password", "password"); got != "correct horse battery staple" {
		t.Errorf("secret db-password read back as %q", got)
	}
	if got := secretValue(t, api, "api-token", "token"); got != "t0k3n-before-backup" {
		t.Errorf("secret api-token (deleted after the backup) read back as %q", got)
	}
	if out, err := api.KubectlErr("get", "configmap", "after-backup", "-n", "shop"); err == nil {
		t.Errorf("configmap created after the backup is back: %s", out)
	}
	assertGone(t, api, oldRV)
	api.Kubectl(t, "create", "configmap", "after-restore", "-n", "shop", "--from-literal=y=2")
	rv := api.Kubectl(t, "get", "configmap", "after-restore", "-n", "shop", "-o", "jsonpath={.metadata.resourceVersion}")
	if n, err := strconv.ParseInt(rv, 10, 64); err != nil || n <= res.Revision-1 {
		t.Errorf("new object's resourceVersion %q; want above the restored revision %d", rv, res.Revision)
	}
	if members == 1 {
		assertDrillCatchesLostKey(t, e, restored)
	}
}

// assertDrillCatchesLostKey takes a backup whose kit holds an EncryptionConfiguration without the
// key the Secrets were encrypted with (a rotated file, say): the drill fails naming the key, and
// check reports it.
func assertDrillCatchesLostKey(t *testing.T, e *env, c *etcdtest.Cluster) {
	t.Helper()
	wrong := newKubeNode(t, c.PKI, strings.ReplaceAll(encryptionConfig(randomKey(t, 32), randomKey(t, 32),
		randomKey(t, 32)), "name: key1", "name: key2"))
	e.set("etcd.endpoints", c.Endpoints())
	e.cfg["kit"] = map[string]any{"enabled": true, "paths": wrong.paths}
	m := e.runOnce()
	out, stderr, code := e.run("verify", m.ID, "--deep")
	if code == 0 || !strings.Contains(out+stderr, `aescbc key "key1"`) {
		t.Fatalf("verify --deep with a kit lacking the key: exit %d: %s %s; want a failure naming aescbc key \"key1\"",
			code, out, stderr)
	}
	out, stderr, code = e.run("check")
	if code == 0 || !strings.Contains(out, "FAILED") || !strings.Contains(out, `aescbc key "key1"`) {
		t.Fatalf("check after the failed drill: exit %d: %s %s; want the failed drill reported", code, out, stderr)
	}
}

// restoreKube restores every member: the first with the CLI and no Kubernetes flags, the others
// with the commands it printed.
func restoreKube(t *testing.T, e *env, specs []etcdtest.ProcSpec, initialCluster, kitDir string) restoreOutput {
	t.Helper()
	args := []string{"restore", "latest", "--data-dir", specs[0].DataDir, "--name", specs[0].Name,
		"--initial-advertise-peer-urls", specs[0].PeerURL, "--kit-dir", kitDir, "-w", "json"}
	if len(specs) > 1 {
		args = append(args, "--initial-cluster", initialCluster, "--initial-cluster-token", "restored")
	}
	out, stderr, code := e.run(args...)
	if code != 0 {
		t.Fatalf("restore: exit %d: %s", code, stderr)
	}
	var res restoreOutput
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Commands) != len(specs) {
		t.Fatalf("restore output %q: %v", out, err)
	}
	for i, cmd := range res.Commands[1:] {
		runPrinted(t, e, cmd.Command, specs[i+1].DataDir)
	}
	return res
}

// assertEncryptedAtRest checks in etcd itself that the API server encrypted what the config says,
// and that kubecrypt reads each of the three formats as the API server wrote it.
func assertEncryptedAtRest(t *testing.T, c *clientv3.Client, node *kubeNode) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for key, prefix := range map[string]string{
		"/registry/secrets/shop/db-password":      "k8s:enc:aescbc:v1:key1:",
		"/registry/configmaps/shop/settings":      "k8s:enc:aesgcm:v1:gcm1:",
		"/registry/example.com/widgets/shop/gear": "k8s:enc:secretbox:v1:box1:",
	} {
		resp, err := c.Get(ctx, key)
		if err != nil || len(resp.Kvs) != 1 {
			t.Fatalf("get %s: %v (%d keys)", key, err, len(resp.Kvs))
		}
		if v := string(resp.Kvs[0].Value); !strings.HasPrefix(v, prefix) {
			t.Fatalf("%s stored as %.40q; want it encrypted, %s", key, v, prefix)
		}
		if err := node.crypt(t).Check(key, resp.Kvs[0].Value); err != nil {
			t.Fatalf("kubecrypt on %s as the API server stored it: %v", key, err)
		}
	}
}

// listRV is the resourceVersion of a list of namespace shop's ConfigMaps before the backup.
func listRV(t *testing.T, api *kubetest.APIServer) string {
	t.Helper()
	var list struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal([]byte(api.Kubectl(t, "get", "--raw", "/api/v1/namespaces/shop/configmaps")), &list); err != nil {
		t.Fatal(err)
	}
	if list.Metadata.ResourceVersion == "" {
		t.Fatal("a list of configmaps without resourceVersion")
	}
	return list.Metadata.ResourceVersion
}

func randomKey(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}
