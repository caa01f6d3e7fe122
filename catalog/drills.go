package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// RecordDrill writes a drill record under drills/<backup ID>.<time>.json.
func (c *Catalog) RecordDrill(ctx context.Context, d *Drill) error {
	data, err := encodeJSON(d)
	if err != nil {
		return err
	}
	at := d.StartedAt.UTC().Format(DrillTimeLayout)
	return c.write(ctx, c.Layout.DrillKey(d.BackupID, at), data)
}

// LastDrills returns the newest drill record of each backup, reading one record per backup.
func (c *Catalog) LastDrills(ctx context.Context) (map[string]*Drill, error) {
	objs, err := c.Store.List(ctx, c.Layout.DrillsPrefix())
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", c.Store, err)
	}
	newest := map[string]string{} // backup ID -> newest key
	for _, o := range objs {
		id, ok := c.Layout.DrillID(o.Key)
		if !ok {
			continue
		}
		if o.Key > newest[id] {
			newest[id] = o.Key
		}
	}
	keys := make([]string, 0, len(newest))
	for _, k := range newest {
		keys = append(keys, k)
	}
	drills := make([]*Drill, len(keys))
	err = Each(ctx, len(keys), readers, func(i int) error {
		d, err := c.ReadDrill(ctx, keys[i])
		drills[i] = d
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Drill, len(drills))
	for _, d := range drills {
		out[d.BackupID] = d
	}
	return out, nil
}

// NewestGoodDrill returns the newest drill record that succeeded, at any backup, or nil. It reads
// records newest first and stops at the first success.
func (c *Catalog) NewestGoodDrill(ctx context.Context) (*Drill, error) {
	objs, err := c.Store.List(ctx, c.Layout.DrillsPrefix())
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", c.Store, err)
	}
	type record struct{ key, at string }
	var recs []record
	for _, o := range objs {
		if id, ok := c.Layout.DrillID(o.Key); ok {
			at := o.Key[len(c.Layout.DrillsPrefix())+len(id)+1 : len(o.Key)-len(manifestSuffix)]
			recs = append(recs, record{o.Key, at})
		}
	}
	slices.SortFunc(recs, func(a, b record) int { return strings.Compare(b.at, a.at) })
	for _, r := range recs {
		d, err := c.ReadDrill(ctx, r.key)
		if err != nil {
			return nil, err
		}
		if d.OK {
			return d, nil
		}
	}
	return nil, nil
}

// readDrill reads the drill record at key and checks it against key.
// ReadDrill reads the drill record at key and checks that it agrees with its key.
func (c *Catalog) ReadDrill(ctx context.Context, key string) (*Drill, error) {
	data, err := c.read(ctx, key)
	if err != nil {
		return nil, err
	}
	d, err := DecodeDrill(data)
	if err != nil {
		return nil, fmt.Errorf("%s at %s: %w", key, c.Store, err)
	}
	if err := d.CheckPlace(c.Layout, key); err != nil {
		return nil, fmt.Errorf("at %s: %w", c.Store, err)
	}
	return d, nil
}
