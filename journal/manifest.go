package journal

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/etcd-backupd/etcd-backupd/catalog"
)

// Format is the segment manifest format written by this build.
const Format = 1

// Manifest describes one committed segment. It is written after the data, once, and never changed.
type Manifest struct {
	Format      int    `json:"format"`
	Name        string `json:"name"` // <first>-<last>, as in the keys
	ClusterName string `json:"cluster_name"`
	// FirstRevision and LastRevision bound the segment: it holds every event of every revision
	// between them (etcd writes at least one event at every revision).
	FirstRevision int64 `json:"first_revision"`
	LastRevision  int64 `json:"last_revision"`
	Revisions     int   `json:"revisions"`
	Events        int   `json:"events"`
	// FirstTime and LastTime are when this daemon received the first and the last revision.
	FirstTime time.Time `json:"first_time"`
	LastTime  time.Time `json:"last_time"`
	// Previous names the segment this one continues; "" starts a chain, from Base.
	Previous string `json:"previous,omitempty"`
	// Base is the full backup a chain starts from (its ID revision is FirstRevision-1); set on a
	// chain's first segment only.
	Base        string             `json:"base,omitempty"`
	CreatedAt   time.Time          `json:"created_at"`
	ToolVersion string             `json:"tool_version"`
	Writer      string             `json:"writer"` // host/pid of the daemon that recorded it
	Plain       PlainInfo          `json:"plain"`
	Object      catalog.ObjectInfo `json:"object"`
}

// PlainInfo describes the segment's plain bytes (before compression and encryption).
type PlainInfo struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Encode returns the manifest as indented JSON.
func (m *Manifest) Encode() ([]byte, error) {
	return json.MarshalIndent(m, "", "  ")
}

// DecodeManifest parses a segment manifest.
func DecodeManifest(data []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("decode segment manifest: %w", err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("segment manifest %s: unsupported format %d (this build reads %d)", m.Name, m.Format, Format)
	}
	return &m, nil
}

// checkPlace refuses a manifest that does not describe the segment whose key it was found under.
func (m *Manifest) checkPlace(l Layout, name string) error {
	first, last, ok := ParseName(name)
	switch {
	case !ok:
		return fmt.Errorf("segment %s: not a segment name", name)
	case m.Name != name || m.FirstRevision != first || m.LastRevision != last:
		return fmt.Errorf("segment %s: its manifest describes %s (revisions %d-%d)", name, m.Name, m.FirstRevision, m.LastRevision)
	case m.ClusterName != l.Cluster:
		return fmt.Errorf("segment %s: its manifest belongs to cluster %q", name, m.ClusterName)
	case !l.dataOf(m.Object.Key, name, m.Object.Compression, m.Object.Encryption != catalog.EncryptionNone):
		return fmt.Errorf("segment %s: its manifest names data %q", name, m.Object.Key)
	case m.LastRevision < m.FirstRevision || m.Revisions < 1 || m.Events < m.Revisions:
		return fmt.Errorf("segment %s: inconsistent manifest (%d revisions, %d events)", name, m.Revisions, m.Events)
	}
	return nil
}
