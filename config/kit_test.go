package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/etcd-backupd/etcd-backupd/kit"
)

func TestKit(t *testing.T) {
	f := needFixture(t)
	d, err := parseWith(t, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Kit.Enabled || !slices.Equal(d.Kit.Paths, DefaultKitPaths) || d.Kit.EncryptionConfig != kit.Auto {
		t.Fatalf("default kit = %+v", d.Kit)
	}
	if _, on := d.KitOptions(); on {
		t.Fatal("KitOptions on without kit.enabled")
	}
	c, err := parseWith(t, f, map[string]any{"kit.enabled": true, "kit.paths": []any{"/etc/kubernetes/pki/"},
		"kit.encryption_config": "/etc/kubernetes/enc//enc.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	o, on := c.KitOptions()
	if !on || !slices.Equal(o.Paths, []string{"/etc/kubernetes/pki"}) || o.EncryptionConfig != "/etc/kubernetes/enc/enc.yaml" ||
		o.MaxBytes != kit.DefaultMaxBytes {
		t.Fatalf("KitOptions = %+v, %v", o, on)
	}
	if c, err := parseWith(t, f, map[string]any{"kit.encryption_config": ""}); err != nil || c.Kit.EncryptionConfig != "" {
		t.Fatalf("encryption_config \"\" = %+v, %v", c, err)
	}
}

func TestKitErrors(t *testing.T) {
	f := needFixture(t)
	for msg, set := range map[string]map[string]any{
		`kit.paths[0]: "etc/kubernetes": must be an absolute path`:            {"kit.paths": []any{"etc/kubernetes"}},
		`kit.paths[1]: "/": the whole file system`:                            {"kit.paths": []any{"/etc/a", "/"}},
		`kit.paths[1]: "/etc/a": same as kit.paths[0]`:                        {"kit.paths": []any{"/etc/a", "/etc/a/"}},
		`kit.paths[0]: "/etc/\n": control characters`:                         {"kit.paths": []any{"/etc/\n"}},
		"kit.paths: at least one path is required":                            {"kit.enabled": true, "kit.paths": []any{}},
		`kit.encryption_config: "enc.yaml": use auto, "" or an absolute path`: {"kit.encryption_config": "enc.yaml"},
		`kit.encryption_config: "Auto": use auto`:                             {"kit.encryption_config": "Auto"},
		"kit.enabled: the kit holds private keys and is stored only encrypted": {"kit.enabled": true,
			"encryption": map[string]any{"disabled": true}, "schedule.verify": ""},
	} {
		if _, err := parseWith(t, f, set); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%v: %v, want an error with %q", set, err, msg)
		}
	}
	c := Default()
	c.Kit.Paths = []string{"/etc/a/../b"}
	var errs Errors
	c.validateKit(&errs)
	if len(errs) != 1 || errs[0].Error() != `kit.paths[0]: "/etc/a/../b": write it "/etc/b"` {
		t.Fatalf("an unclean path: %v", errs)
	}
}
