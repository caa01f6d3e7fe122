package catalog

import "testing"

func TestKeyIDs(t *testing.T) {
	for _, id := range []string{"20261124T000203Z-r000000000042", "20261124T000203Z-r000000000042-a1b2c3"} {
		testKeyIDs(t, id)
	}
}

// testKeyIDs parses the keys of id, in the old form or with a writer suffix.
func testKeyIDs(t *testing.T, id string) {
	l := Layout{Cluster: "c1"}
	drills := map[string]string{
		"c1/drills/" + id + ".20261125T010000Z.json":   id,
		"c1/drills/" + id + ".20261125T010000Z":        "", // no .json
		"c1/drills/" + id + ".yesterday.json":          "", // not a time
		"c1/drills/x/" + id + ".20261125T010000Z.json": "",
		"c2/drills/" + id + ".20261125T010000Z.json":   "",
	}
	for key, want := range drills {
		if got, ok := l.DrillID(key); got != want || ok != (want != "") {
			t.Errorf("DrillID(%q) = %q, %v; want %q", key, got, ok, want)
		}
	}
	objects := map[string]string{
		"c1/snapshots/" + id + ".db.zst.pgp": id,
		"c1/snapshots/" + id + ".json":       id,
		"c1/snapshots/" + id + ".db":         id,
		"c1/snapshots/" + id + ".db.bak":     "",
		"c1/snapshots/" + id + SuffixKit:     id,
		"c1/snapshots/" + id + ".kit.tar":    "",
		"c1/snapshots/" + id + "-notes.txt":  "",
		"c1/drills/" + id + ".json":          "",
	}
	for key, want := range objects {
		if got := l.ObjectID(key); got != want {
			t.Errorf("ObjectID(%q) = %q, want %q", key, got, want)
		}
	}
}
