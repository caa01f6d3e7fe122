package deploytest

import (
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/etcd-backupd/etcd-backupd/daemon"
	"github.com/etcd-backupd/etcd-backupd/internal/etcdtest"
)

// knownMetrics names every series a query may use: the daemon's metrics (gathered, and described
// by every collector reachable from daemon.Metrics, its Registry included, so that vectors
// without children count) and the metrics of a real embedded etcd member. Histograms count
// with _bucket, _sum and _count.
func knownMetrics(t *testing.T) map[string]bool {
	t.Helper()
	etcdtest.Start(t, etcdtest.Options{})
	m := daemon.NewMetrics("test")
	names := map[string]bool{}
	for _, g := range []prometheus.Gatherer{m.Registry, prometheus.DefaultGatherer} {
		mfs, err := g.Gather()
		if err != nil {
			t.Fatalf("gather metrics: %v", err)
		}
		for _, mf := range mfs {
			addMetric(names, mf.GetName(), mf.GetType() == dto.MetricType_HISTOGRAM)
		}
	}
	describeAll(reflect.ValueOf(m).Elem(), names)
	return names
}

func addMetric(names map[string]bool, name string, histogram bool) {
	names[name] = true
	if histogram {
		names[name+"_bucket"], names[name+"_sum"], names[name+"_count"] = true, true, true
	}
}

var fqNameRE = regexp.MustCompile(`fqName: "([^"]+)"`)

// describeAll adds the names of every collector reachable from the fields of struct v.
func describeAll(v reflect.Value, names map[string]bool) {
	collector := reflect.TypeFor[prometheus.Collector]()
	for i := range v.NumField() {
		f := v.Field(i)
		if !f.CanInterface() || (f.Kind() == reflect.Pointer && f.IsNil()) {
			continue
		}
		if f.Type().Implements(collector) {
			c := f.Interface().(prometheus.Collector)
			_, histogram := c.(prometheus.Histogram)
			_, histogramVec := c.(*prometheus.HistogramVec)
			ch := make(chan *prometheus.Desc, 16)
			go func() { c.Describe(ch); close(ch) }()
			for d := range ch {
				if m := fqNameRE.FindStringSubmatch(d.String()); m != nil {
					addMetric(names, m[1], histogram || histogramVec)
				}
			}
			continue
		}
		if f.Kind() == reflect.Pointer && f.Elem().Kind() == reflect.Struct {
			f = f.Elem()
		}
		if f.Kind() == reflect.Struct {
			describeAll(f, names)
		}
	}
}

var metricRE = regexp.MustCompile(`\betcd_[a-z0-9_]+`)

// usedMetrics returns the etcd_* metric names in exprs, sorted and without repeats.
func usedMetrics(exprs []string) []string {
	seen := map[string]bool{}
	for _, e := range exprs {
		for _, n := range metricRE.FindAllString(e, -1) {
			seen[n] = true
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func ruleExprs(t *testing.T) []string {
	var exprs []string
	for _, g := range loadRules(t).Spec.Groups {
		for _, r := range g.Rules {
			exprs = append(exprs, r.Expr)
		}
	}
	return exprs
}

// TestMetricsExist: the alert rules and the dashboard query only metrics that exist.
func TestMetricsExist(t *testing.T) {
	known := knownMetrics(t)
	sources := []struct {
		name  string
		exprs []string
	}{
		{"configs/prometheus-rules.yaml", ruleExprs(t)},
		{"configs/grafana-dashboard.json", dashboardQueries(t, loadDashboard(t))},
	}
	for _, s := range sources {
		used := usedMetrics(s.exprs)
		if len(used) == 0 {
			t.Fatalf("%s: no etcd metric found in its queries", s.name)
		}
		var missing []string
		for _, n := range used {
			if !known[n] {
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s uses metrics that neither etcd-backupd nor etcd exports: %s", s.name, strings.Join(missing, ", "))
		}
	}
}

// TestDescribeAll: vectors without children, nested structs and histograms are named; nil and
// unexported fields are skipped.
func TestDescribeAll(t *testing.T) {
	type inner struct{ Alarm *prometheus.GaugeVec }
	s := struct {
		Up       prometheus.Gauge
		Duration *prometheus.HistogramVec
		Nested   *inner
		Unset    *prometheus.CounterVec
		hidden   prometheus.Gauge // unexported: not reachable, so not named
	}{
		Up:       prometheus.NewGauge(prometheus.GaugeOpts{Name: "x_up"}),
		Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "x_seconds"}, []string{"job"}),
		Nested:   &inner{prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "x_alarm"}, []string{"type"})},
		hidden:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "x_hidden"}),
	}
	names := map[string]bool{}
	describeAll(reflect.ValueOf(&s).Elem(), names)
	want := []string{"x_alarm", "x_seconds", "x_seconds_bucket", "x_seconds_count", "x_seconds_sum", "x_up"}
	got := make([]string, 0, len(names))
	for n := range names {
		got = append(got, n)
	}
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("describeAll = %v, want %v", got, want)
	}
}
