package catalog

import (
	"encoding/json"
	"fmt"
	"time"
)

// Format is the manifest format version written by this build.
const Format = 1

// Compression and encryption names recorded in manifests.
const (
	CompressionZstd = "zstd"
	CompressionNone = "none"
	EncryptionPGP   = "openpgp"
	EncryptionNone  = "none"
)

// Manifest describes one committed backup. Once written it never changes.
type Manifest struct {
	Format          int          `json:"format"`
	ID              string       `json:"id"`
	ClusterName     string       `json:"cluster_name"`
	CreatedAt       time.Time    `json:"created_at"`
	ToolVersion     string       `json:"tool_version"`
	Etcd            EtcdInfo     `json:"etcd"`
	Snapshot        SnapshotInfo `json:"snapshot"`
	Object          ObjectInfo   `json:"object"`
	DurationSeconds float64      `json:"duration_seconds"`
}

// EtcdInfo names the member the snapshot came from.
type EtcdInfo struct {
	Endpoint       string `json:"endpoint"`
	MemberID       string `json:"member_id"`
	ClusterID      string `json:"cluster_id"`
	ServerVersion  string `json:"server_version"`
	StorageVersion string `json:"storage_version"`
}

// SnapshotInfo describes the plain snapshot (.db), as etcdutl snapshot status reports it.
type SnapshotInfo struct {
	Revision  int64  `json:"revision"`
	TotalKeys int    `json:"total_keys"`
	Hash      uint32 `json:"hash"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
}

// ObjectInfo describes the stored data object.
type ObjectInfo struct {
	Key         string   `json:"key"`
	Size        int64    `json:"size"`
	SHA256      string   `json:"sha256"`
	Compression string   `json:"compression"`
	Encryption  string   `json:"encryption"`
	Recipients  []string `json:"recipients,omitempty"`
}

// Encode returns the manifest as indented JSON.
func (m *Manifest) Encode() ([]byte, error) {
	return encodeJSON(m)
}

// DecodeManifest parses and checks a manifest.
func DecodeManifest(data []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("decode manifest: %w", err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("manifest %s: unsupported format %d (this build reads %d)", m.ID, m.Format, Format)
	}
	if !ValidID(m.ID) || m.Object.Key == "" {
		return nil, fmt.Errorf("manifest %q: missing id or object key", m.ID)
	}
	return &m, nil
}

// Time is the backup time encoded in the ID.
func (m *Manifest) Time() time.Time {
	t, _, _ := ParseID(m.ID)
	return t
}

func encodeJSON(v any) ([]byte, error) {
	return json.MarshalIndent(v, "", "  ")
}
