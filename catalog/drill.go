package catalog

import (
	"encoding/json"
	"fmt"
	"time"
)

// Drill modes.
const (
	ModeQuick = "quick"
	ModeDeep  = "deep"
)

// Drill is the record of one verification or restore drill of a backup.
type Drill struct {
	BackupID    string             `json:"backup_id"`
	Mode        string             `json:"mode"`
	StartedAt   time.Time          `json:"started_at"`
	OK          bool               `json:"ok"`
	Error       string             `json:"error,omitempty"`
	Steps       map[string]float64 `json:"step_seconds,omitempty"`
	Figures     map[string]int64   `json:"figures,omitempty"`
	ToolVersion string             `json:"tool_version"`
	Host        string             `json:"host,omitempty"`
}

// DrillTimeLayout names drill records by time.
const DrillTimeLayout = TimeLayout

// CheckPlace checks what d says about itself against key, the key it was read from in layout l: a
// record edited or copied to another name would otherwise vouch for another backup or time.
func (d *Drill) CheckPlace(l Layout, key string) error {
	at := d.StartedAt.UTC().Format(DrillTimeLayout)
	if want := l.DrillKey(d.BackupID, at); key != want {
		return fmt.Errorf("%w: drill record %s says backup_id %q and started_at %s, whose record is %s",
			ErrMisplaced, key, d.BackupID, at, want)
	}
	return nil
}

// DecodeDrill parses a drill record.
func DecodeDrill(data []byte) (*Drill, error) {
	var d Drill
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("decode drill record: %w", err)
	}
	return &d, nil
}
