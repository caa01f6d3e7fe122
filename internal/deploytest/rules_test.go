package deploytest

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
)

// promtool unit-test files beside configs/prometheus-rules.yaml, and the plain rules file
// they load, written from the PrometheusRule's spec.
var ruleTests = []string{"prometheus-rules.test.yaml", "prometheus-rules.drill.test.yaml"}

const plainRules = "prometheus-rules.rules.yaml"

// PrometheusRule is the part of prometheus-operator's CRD the rules use; decoding is strict.
type PrometheusRule struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metav1.ObjectMeta `json:"metadata"`
	Spec       RuleSpec          `json:"spec"`
}

// RuleSpec is also a plain Prometheus rules file.
type RuleSpec struct {
	Groups []RuleGroup `json:"groups"`
}

type RuleGroup struct {
	Name     string `json:"name"`
	Interval string `json:"interval,omitempty"`
	Rules    []Rule `json:"rules"`
}

type Rule struct {
	Alert       string            `json:"alert,omitempty"`
	Record      string            `json:"record,omitempty"`
	Expr        string            `json:"expr"`
	For         string            `json:"for,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

func loadRules(t *testing.T) *PrometheusRule {
	t.Helper()
	var pr PrometheusRule
	if err := yaml.UnmarshalStrict(ReadRepoFile(t, "configs/prometheus-rules.yaml"), &pr); err != nil {
		t.Fatalf("decode configs/prometheus-rules.yaml: %v", err)
	}
	if pr.APIVersion != "monitoring.coreos.com/v1" || pr.Kind != "PrometheusRule" || pr.Metadata.Name == "" {
		t.Fatalf("apiVersion %q kind %q name %q, want a named monitoring.coreos.com/v1 PrometheusRule", pr.APIVersion, pr.Kind, pr.Metadata.Name)
	}
	return &pr
}

func alertNames(pr *PrometheusRule) []string {
	var names []string
	for _, g := range pr.Spec.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				names = append(names, r.Alert)
			}
		}
	}
	return names
}

// TestPromtool checks the rules and runs their unit tests with promtool.
func TestPromtool(t *testing.T) {
	promtool := testgate.Require(t, "promtool")
	pr := loadRules(t)
	dir := t.TempDir()
	data, err := yaml.Marshal(pr.Spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, plainRules), data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range ruleTests {
		if err := os.WriteFile(filepath.Join(dir, f), ReadRepoFile(t, "configs/"+f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	runs := [][]string{{"check", "rules", plainRules}, append([]string{"test", "rules"}, ruleTests...)}
	for _, args := range runs {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("promtool %v: %v\n%s", args, err, out)
		}
	}
}

// ruleTestFile is the part of a promtool test file that says which alerts a case expects.
type ruleTestFile struct {
	Tests []struct {
		AlertRuleTest []struct {
			AlertName string `json:"alertname"`
			ExpAlerts []any  `json:"exp_alerts"`
		} `json:"alert_rule_test"`
	} `json:"tests"`
}

// TestEveryAlertTested: every alert fires in some promtool case, and the cases name no other alert.
func TestEveryAlertTested(t *testing.T) {
	alerts := alertNames(loadRules(t))
	fired := map[string]bool{}
	for _, f := range ruleTests {
		var tf ruleTestFile
		if err := yaml.Unmarshal(ReadRepoFile(t, "configs/"+f), &tf); err != nil {
			t.Fatalf("decode configs/%s: %v", f, err)
		}
		for _, tc := range tf.Tests {
			for _, a := range tc.AlertRuleTest {
				if !slices.Contains(alerts, a.AlertName) {
					t.Errorf("configs/%s tests %q, which is no alert of the rules", f, a.AlertName)
				}
				fired[a.AlertName] = fired[a.AlertName] || len(a.ExpAlerts) > 0
			}
		}
	}
	for _, a := range alerts {
		if !fired[a] {
			t.Errorf("alert %s fires in no promtool test case", a)
		}
	}
}

// TestRuleConventions: every alert has a severity, a summary and a description.
func TestRuleConventions(t *testing.T) {
	for _, g := range loadRules(t).Spec.Groups {
		for _, r := range g.Rules {
			sev := r.Labels["severity"]
			if sev != "warning" && sev != "critical" {
				t.Errorf("%s: severity %q, want warning or critical", r.Alert, sev)
			}
			if r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("%s: want summary and description annotations", r.Alert)
			}
		}
	}
}
