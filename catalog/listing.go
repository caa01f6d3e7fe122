package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Listed is one committed backup at one destination, as list shows it.
type Listed struct {
	Destination string    // redacted
	Manifest    *Manifest // nil when Damaged is set
	LastDrill   *Drill    // its most recent verification or drill; nil if never
	Damaged     *Damaged  // set when the manifest cannot be trusted
}

// List reads every destination's committed backups with their last drill, newest first at each.
// Following the Set's policy, a destination that cannot be read does not hide the others: its
// error is joined to the result, and a damaged manifest is a row of its own.
func (s *Set) List(ctx context.Context) ([]Listed, error) {
	var rows []Listed
	err := s.Each(ctx, func(c *Catalog) error {
		ms, damaged, err := c.Manifests(ctx)
		if err != nil {
			return err
		}
		drills, err := c.LastDrills(ctx)
		if err != nil {
			return fmt.Errorf("drill records at %s: %w", c.Store, err)
		}
		dest := c.Store.String()
		var here []Listed
		for _, m := range ms {
			here = append(here, Listed{Destination: dest, Manifest: m, LastDrill: drills[m.ID]})
		}
		for _, d := range damaged {
			here = append(here, Listed{Destination: dest, Damaged: &d, LastDrill: drills[d.ID]})
		}
		slices.SortFunc(here, func(a, b Listed) int { return strings.Compare(b.ID(), a.ID()) })
		rows = append(rows, here...)
		return nil
	})
	return rows, err
}

// ID is the backup's ID, damaged or not.
func (l Listed) ID() string {
	if l.Damaged != nil {
		return l.Damaged.ID
	}
	return l.Manifest.ID
}
