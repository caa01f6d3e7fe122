package deploytest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/etcd-backupd/etcd-backupd/internal/testgate"
)

// Dashboard is the part of a Grafana dashboard the checks read.
type Dashboard struct {
	UID           string `json:"uid"`
	Title         string `json:"title"`
	SchemaVersion int    `json:"schemaVersion"`
	Templating    struct {
		List []struct {
			Name       string `json:"name"`
			Type       string `json:"type"`
			Definition string `json:"definition"`
		} `json:"list"`
	} `json:"templating"`
	Panels []Panel `json:"panels"`
}

type Panel struct {
	ID         int    `json:"id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Datasource *struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	GridPos struct{ X, Y, W, H int } `json:"gridPos"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
}

func loadDashboard(t *testing.T) *Dashboard {
	t.Helper()
	var d Dashboard
	if err := json.Unmarshal(ReadRepoFile(t, "configs/grafana-dashboard.json"), &d); err != nil {
		t.Fatalf("decode configs/grafana-dashboard.json: %v", err)
	}
	return &d
}

// dashboardQueries returns every PromQL query: panel targets and template variables.
func dashboardQueries(t *testing.T, d *Dashboard) []string {
	var q []string
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			q = append(q, tg.Expr)
		}
	}
	for _, v := range d.Templating.List {
		if v.Definition != "" {
			q = append(q, v.Definition)
		}
	}
	return q
}

func TestDashboardLayout(t *testing.T) {
	d := loadDashboard(t)
	if d.UID == "" || d.Title == "" || d.SchemaVersion < 36 || len(d.Panels) == 0 {
		t.Fatalf("uid %q title %q schemaVersion %d with %d panels: want all set, schema 36 or later", d.UID, d.Title, d.SchemaVersion, len(d.Panels))
	}
	ids := map[int]string{}
	for _, p := range d.Panels {
		where := fmt.Sprintf("panel %d %q", p.ID, p.Title)
		if prev, dup := ids[p.ID]; dup {
			t.Errorf("%s: id already used by %q", where, prev)
		}
		ids[p.ID] = p.Title
		if p.GridPos.W <= 0 || p.GridPos.H <= 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("%s: gridPos %+v outside the 24-column grid", where, p.GridPos)
		}
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || p.Datasource.UID != "${datasource}" || len(p.Targets) == 0 {
			t.Errorf("%s: want the ${datasource} variable and at least one target", where)
		}
		for _, tg := range p.Targets {
			if tg.RefID == "" || tg.Expr == "" {
				t.Errorf("%s: a target without refId or expr", where)
			}
			if strings.Contains(tg.Expr, "etcd_backupd_") && !strings.Contains(tg.Expr, `cluster=~"$cluster"`) {
				t.Errorf("%s: %s ignores the $cluster variable", where, tg.Expr)
			}
		}
	}
}

// TestDashboardPromQL parses every panel query with promtool, as recording rules.
func TestDashboardPromQL(t *testing.T) {
	promtool := testgate.Require(t, "promtool")
	var rules []Rule
	for _, p := range loadDashboard(t).Panels {
		for _, tg := range p.Targets {
			expr := strings.ReplaceAll(tg.Expr, "$cluster", ".*")
			rules = append(rules, Rule{Record: fmt.Sprintf("dashboard:panel%d_%s", p.ID, strings.ToLower(tg.RefID)), Expr: expr})
		}
	}
	data, err := yaml.Marshal(RuleSpec{Groups: []RuleGroup{{Name: "dashboard", Rules: rules}}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dashboard.rules.yaml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "check", "rules", path).CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules on the dashboard's queries: %v\n%s", err, out)
	}
}
