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

// DecodeDrill parses a drill record.
func DecodeDrill(data []byte) (*Drill, error) {
	var d Drill
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("decode drill record: %w", err)
	}
	return &d, nil
}
