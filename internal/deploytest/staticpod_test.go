package deploytest

import (
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/etcd-backupd/etcd-backupd/config"
	"github.com/etcd-backupd/etcd-backupd/internal/imagebuild"
)

// loadPod decodes configs/static-pod.yaml strictly: an unknown or misspelt field is an error.
func loadPod(t *testing.T) *corev1.Pod {
	t.Helper()
	var pod corev1.Pod
	if err := yaml.UnmarshalStrict(ReadRepoFile(t, "configs/static-pod.yaml"), &pod); err != nil {
		t.Fatalf("decode configs/static-pod.yaml as a v1 Pod: %v", err)
	}
	if pod.APIVersion != "v1" || pod.Kind != "Pod" || pod.Namespace != "kube-system" {
		t.Fatalf("apiVersion %q kind %q namespace %q, want v1 Pod in kube-system", pod.APIVersion, pod.Kind, pod.Namespace)
	}
	if n := len(pod.Spec.Containers); n != 1 {
		t.Fatalf("%d containers, want 1", n)
	}
	return &pod
}

func TestStaticPodSpec(t *testing.T) {
	spec := loadPod(t).Spec
	checks := []struct {
		name string
		ok   bool
	}{
		{"hostNetwork", spec.HostNetwork},
		{"priorityClassName system-node-critical", spec.PriorityClassName == "system-node-critical"},
		{"dnsPolicy Default", spec.DNSPolicy == corev1.DNSDefault},
		{"no service account token", spec.AutomountServiceAccountToken != nil && !*spec.AutomountServiceAccountToken},
		{"terminationGracePeriodSeconds above the 2 min grace", spec.TerminationGracePeriodSeconds != nil &&
			*spec.TerminationGracePeriodSeconds > int64(daemonGrace.Seconds())},
		{"runAsNonRoot", ptrTrue(spec.SecurityContext.RunAsNonRoot)},
		{"runAsUser is the image user", spec.SecurityContext.RunAsUser != nil && *spec.SecurityContext.RunAsUser == imagebuild.UID},
		{"runAsGroup is the image group", spec.SecurityContext.RunAsGroup != nil && *spec.SecurityContext.RunAsGroup == imagebuild.GID},
		{"a supplemental group for the certs", len(spec.SecurityContext.SupplementalGroups) == 1},
		{"seccomp RuntimeDefault", spec.SecurityContext.SeccompProfile != nil &&
			spec.SecurityContext.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("pod spec: want %s", c.name)
		}
	}
}

func TestStaticPodContainer(t *testing.T) {
	c := loadPod(t).Spec.Containers[0]
	sc := c.SecurityContext
	checks := []struct {
		name string
		ok   bool
	}{
		{"args --config " + config.DefaultPath + " run", slices.Equal(c.Args, []string{"--config", config.DefaultPath, "run"})},
		{"no command: the image's entrypoint", len(c.Command) == 0},
		{"allowPrivilegeEscalation false", sc != nil && sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation},
		{"readOnlyRootFilesystem", sc != nil && ptrTrue(sc.ReadOnlyRootFilesystem)},
		{"capabilities drop ALL, add none", sc != nil && sc.Capabilities != nil &&
			slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) && len(sc.Capabilities.Add) == 0},
		{"not privileged", sc != nil && sc.Privileged != nil && !*sc.Privileged},
		{"cpu and memory requests", !c.Resources.Requests.Cpu().IsZero() && !c.Resources.Requests.Memory().IsZero()},
		{"cpu and memory limits", !c.Resources.Limits.Cpu().IsZero() && !c.Resources.Limits.Memory().IsZero()},
		{"memory limit above the request", c.Resources.Limits.Memory().Cmp(*c.Resources.Requests.Memory()) > 0},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("container: want %s", ch.name)
		}
	}
}

// TestStaticPodProbes: the probes reach the daemon at its default http.listen.
func TestStaticPodProbes(t *testing.T) {
	c := loadPod(t).Spec.Containers[0]
	host, port, err := net.SplitHostPort(config.DefaultListen)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		probe *corev1.Probe
		path  string
	}{
		{"startup", c.StartupProbe, "/readyz"},
		{"liveness", c.LivenessProbe, "/healthz"},
		{"readiness", c.ReadinessProbe, "/readyz"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.probe == nil || tc.probe.HTTPGet == nil {
				t.Fatalf("no httpGet %s probe", tc.name)
			}
			g := tc.probe.HTTPGet
			want := intstr.FromString(port)
			if g.Host != host || g.Path != tc.path || g.Port.String() != want.String() {
				t.Fatalf("%s probe = http://%s:%s%s, want http://%s:%s%s", tc.name, g.Host, g.Port.String(), g.Path, host, port, tc.path)
			}
		})
	}
}

func ptrTrue(b *bool) bool { return b != nil && *b }

// TestStaticPodMounts: the certs and config are read-only host paths, the spool a writable one,
// and every file the example config names lies under a mount.
func TestStaticPodMounts(t *testing.T) {
	pod := loadPod(t)
	host := map[string]string{} // volume name -> host path
	for _, v := range pod.Spec.Volumes {
		if v.HostPath != nil {
			host[v.Name] = v.HostPath.Path
		}
	}
	mounts := map[string]corev1.VolumeMount{} // mount path -> mount
	for _, m := range pod.Spec.Containers[0].VolumeMounts {
		mounts[m.MountPath] = m
	}
	tests := []struct {
		path     string
		readOnly bool
	}{
		{filepath.Dir(config.DefaultCACert), true},
		{filepath.Dir(config.DefaultPath), true},
		{config.DefaultSpoolDir, false},
	}
	for _, tc := range tests {
		m, ok := mounts[tc.path]
		if !ok || host[m.Name] != tc.path || m.ReadOnly != tc.readOnly {
			t.Errorf("mount %s: got %+v from host path %q, want host path %s with readOnly %v", tc.path, m, host[m.Name], tc.path, tc.readOnly)
		}
	}
	for _, f := range []string{config.DefaultCACert, config.DefaultCert, config.DefaultKey, config.DefaultPath} {
		if !underMount(f, mounts) {
			t.Errorf("%s is under no mount of the pod", f)
		}
	}
	if _, ok := mounts["/tmp"]; !ok {
		t.Errorf("no writable /tmp: the root file system is read-only")
	}
}

func underMount(path string, mounts map[string]corev1.VolumeMount) bool {
	for mp := range mounts {
		if strings.HasPrefix(path, mp+"/") {
			return true
		}
	}
	return false
}
