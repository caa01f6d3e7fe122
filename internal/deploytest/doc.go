// Package deploytest checks the deployment files: the systemd units (systemd-analyze verify and
// security), make install, the static pod manifest (decoded strictly into Kubernetes types), the
// PrometheusRule (promtool unit tests), the Grafana dashboard (its queries parse and use only
// metrics that exist) and the Dockerfile (in step with make image).
//
// The package holds tests only; they read the files from the repository root.
package deploytest
