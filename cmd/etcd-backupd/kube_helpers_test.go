package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
	"github.com/etcd-backupd/etcd-backupd/internal/gpgtest"
	"github.com/etcd-backupd/etcd-backupd/internal/kubetest"
	"github.com/etcd-backupd/etcd-backupd/kubecrypt"
)

// kubeObjects are what the API server tests create: every kind an operator would miss after a
// restore, a custom resource included.
const kubeObjects = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {mode: production, replicas: "3"}
---
apiVersion: v1
kind: Secret
metadata: {name: db-password, namespace: shop}
stringData: {password: "correct horse battery staple", user: shop}
---
apiVersion: v1
kind: Secret
metadata: {name: api-token, namespace: shop}
stringData: {token: "t0k3n-before-backup"}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers: [{name: web, image: "registry.example/web:1.0"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read-settings, namespace: shop}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web-reads-settings, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-settings}
subjects: [{kind: ServiceAccount, name: web, namespace: shop}]
`

// widgetCRD defines a custom resource, stored encrypted like the Secrets.
const widgetCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`

const widgets = `
apiVersion: example.com/v1
kind: Widget
metadata: {name: gear, namespace: shop}
spec: {teeth: 42, material: brass}
`

// kubeKinds are the kinds compared before and after the restore, in namespace shop.
const kubeKinds = "configmaps,secrets,serviceaccounts,deployments,roles,rolebindings,widgets"

// encryptionConfig encrypts Secrets with aescbc, ConfigMaps with aesgcm and widgets with
// secretbox, each keeping identity to read what was stored before.
func encryptionConfig(cbc, gcm, box []byte) string {
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - aescbc: {keys: [{name: key1, secret: %s}]}
  - identity: {}
- resources: [configmaps]
  providers:
  - aesgcm: {keys: [{name: gcm1, secret: %s}]}
  - identity: {}
- resources: [widgets.example.com]
  providers:
  - secretbox: {keys: [{name: box1, secret: %s}]}
  - identity: {}
`, b64(cbc), b64(gcm), b64(box))
}

// kubeNode is a control-plane node's /etc/kubernetes as kubeadm lays it out: the etcd PKI, the
// static pod manifests and the EncryptionConfiguration the API server manifest names.
type kubeNode struct {
	root, encConfig string
	paths           []string // the kit paths
}

func newKubeNode(t *testing.T, pki *etcdtest.PKI, encConfig string) *kubeNode {
	t.Helper()
	root := filepath.Join(t.TempDir(), "etc-kubernetes")
	n := &kubeNode{root: root, encConfig: filepath.Join(root, "enc", "encryption-config.yaml")}
	for src, dst := range map[string]string{pki.CACert: "pki/etcd/ca.crt", pki.CAKey: "pki/etcd/ca.key",
		pki.ServerCert: "pki/etcd/server.crt", pki.ServerKey: "pki/etcd/server.key"} {
		copyFile(t, src, filepath.Join(root, dst))
	}
	writeTestFile(t, n.encConfig, encConfig, 0o600)
	writeTestFile(t, filepath.Join(root, "manifests", "etcd.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: etcd}\n", 0o600)
	writeTestFile(t, filepath.Join(root, "manifests", "kube-apiserver.yaml"), fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system}
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.37.2
    command:
    - kube-apiserver
    - --etcd-servers=https://127.0.0.1:2379
    - --encryption-provider-config=%s
`, n.encConfig), 0o600)
	n.paths = []string{filepath.Join(root, "pki", "etcd"), filepath.Join(root, "manifests", "etcd.yaml"),
		filepath.Join(root, "manifests", "kube-apiserver.yaml")}
	return n
}

// crypt parses the node's EncryptionConfiguration.
func (n *kubeNode) crypt(t *testing.T) *kubecrypt.Config {
	t.Helper()
	data, err := os.ReadFile(n.encConfig)
	if err != nil {
		t.Fatal(err)
	}
	c, err := kubecrypt.ParseConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// assertDeepVerifies runs verify --deep on id and checks that the drill decrypted its Secrets with
// the kit.
func assertDeepVerifies(t *testing.T, e *env, id string) {
	t.Helper()
	out, stderr, code := e.run("verify", id, "--deep", "-w", "json")
	if code != 0 {
		t.Fatalf("verify --deep %s: exit %d: %s %s", id, code, out, stderr)
	}
	var d struct {
		Figures map[string]int64 `json:"figures"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("verify output %q: %v", out, err)
	}
	if d.Figures["kit_secrets_checked"] < 2 || d.Figures["kit_secrets_decrypted"] != d.Figures["kit_secrets_checked"] {
		t.Fatalf("verify --deep figures %v; want every Secret decrypted with the kit", d.Figures)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, dst, string(data), 0o600)
}

func writeTestFile(t *testing.T, path, data string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
}

// newKubeEnv is an env whose etcd is the cluster c, as the API server's etcd client.
func newKubeEnv(t *testing.T, c *etcdtest.Cluster) *env {
	t.Helper()
	e := &env{t: t, key: gpgtest.NewKey(t, "backup", "future-default", "secret pass"), dir: t.TempDir()}
	e.setBaseConfig(c.Endpoints(), c.PKI)
	return e.withPrivateKey()
}

// kubeState is every object of kubeKinds in namespace shop, by kind/name, as the API server
// serves it, without managedFields (which record the client, not the object).
func kubeState(t *testing.T, api *kubetest.APIServer) map[string]string {
	t.Helper()
	var list struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(api.Kubectl(t, "get", kubeKinds, "-n", "shop", "-o", "json")), &list); err != nil {
		t.Fatal(err)
	}
	state := map[string]string{}
	for _, it := range list.Items {
		md := it["metadata"].(map[string]any)
		delete(md, "managedFields")
		data, _ := json.Marshal(it)
		state[fmt.Sprintf("%s/%s", it["kind"], md["name"])] = string(data)
	}
	if len(state) < 8 {
		ks := keysOf(state)
		sort.Strings(ks)
		t.Fatalf("only %d objects in namespace shop: %v", len(state), ks)
	}
	return state
}

// assertSameState fails on any object added, removed or changed.
func assertSameState(t *testing.T, want, got map[string]string) {
	t.Helper()
	for k, w := range want {
		if g, ok := got[k]; !ok {
			t.Errorf("%s: missing after the restore", k)
		} else if g != w {
			t.Errorf("%s changed by the restore:\n want %s\n  got %s", k, w, g)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: present after the restore, absent from the backup", k)
		}
	}
}

// secretValue reads one key of a Secret through the API server, decoded.
func secretValue(t *testing.T, api *kubetest.APIServer, name, key string) string {
	t.Helper()
	out := api.Kubectl(t, "get", "secret", name, "-n", "shop", "-o", "jsonpath={.data."+key+"}")
	v, err := base64.StdEncoding.DecodeString(out)
	if err != nil {
		t.Fatalf("secret %s: %v", name, err)
	}
	return string(v)
}

// assertGone checks that a list from an exact old resourceVersion and a watch from it both get
// 410 Gone: clients relist instead of reading a past the restore replaced.
func assertGone(t *testing.T, api *kubetest.APIServer, rv string) {
	t.Helper()
	c := api.HTTP(t)
	base := api.URL + "/api/v1/namespaces/shop/configmaps?resourceVersion=" + rv
	resp, err := c.Get(base + "&resourceVersionMatch=Exact")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone {
		t.Errorf("list at resourceVersion %s: %s %s; want 410 Gone", rv, resp.Status, body)
	}
	resp, err = c.Get(base + "&watch=1&timeoutSeconds=5")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	gone := resp.StatusCode == http.StatusGone ||
		(strings.Contains(string(body), `"type":"ERROR"`) && strings.Contains(string(body), `"code":410`))
	if !gone {
		t.Errorf("watch from resourceVersion %s: %s %s; want 410 Gone", rv, resp.Status, body)
	}
}
