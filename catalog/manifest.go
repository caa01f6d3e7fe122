package catalog

import (
	"encoding/json"
	"errors"
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
	// Kit is the restore kit stored beside the data object; nil when none was kept (kit off, or a
	// backup of the first release).
	Kit *KitInfo `json:"kit,omitempty"`
}

// KitInfo describes a backup's restore kit: the files a control plane needs beside the snapshot.
type KitInfo struct {
	Key              string `json:"key"`
	Size             int64  `json:"size"`   // stored bytes
	SHA256           string `json:"sha256"` // of the stored bytes
	PlainSHA256      string `json:"plain_sha256"`
	Files            int    `json:"files"`
	EncryptionConfig string `json:"encryption_config,omitempty"` // the API server's, as a path among the files
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
	// UnservedKeys counts keys of TotalKeys that no member serves: the empty key a restore with a
	// revision bump writes as its marker. A deep verification expects TotalKeys - UnservedKeys.
	UnservedKeys int `json:"unserved_keys,omitempty"`
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

// ErrMisplaced reports a manifest whose account of itself disagrees with where it was found.
var ErrMisplaced = errors.New("manifest does not match where it was found")

// CheckPlace checks what m says about itself against key, the key it was read from in layout l:
// its id names key, its cluster_name is l's cluster, and object.key is the data key of its id,
// compression and encryption. An edited or moved manifest would otherwise pass for another backup.
// The revision in the id is not compared with snapshot.revision here: the snapshot is taken after
// the id is made, so a busy cluster's is higher, and a compacted trailing delete makes it lower;
// a deep verification compares the id's revision with what the restored member serves.
func (m *Manifest) CheckPlace(l Layout, key string) error {
	if want := l.ManifestKey(m.ID); key != want {
		return fmt.Errorf("%w: %s says id %q, whose manifest is %s", ErrMisplaced, key, m.ID, want)
	}
	if m.ClusterName != l.Cluster {
		return fmt.Errorf("%w: %s says cluster_name %q, but it is in the folder of cluster %q",
			ErrMisplaced, key, m.ClusterName, l.Cluster)
	}
	if err := m.checkCoding(key); err != nil {
		return err
	}
	want := l.DataKey(m.ID, DataSuffix(m.Object.Compression, m.Object.Encryption == EncryptionPGP))
	if m.Object.Key != want {
		return fmt.Errorf("%w: %s says object.key %q, but the data of id %s with %s compression and %s "+
			"encryption is %q", ErrMisplaced, key, m.Object.Key, m.ID, m.Object.Compression, m.Object.Encryption, want)
	}
	if m.Kit != nil && m.Kit.Key != l.KitKey(m.ID) {
		return fmt.Errorf("%w: %s says kit.key %q, but the kit of id %s is %q", ErrMisplaced, key, m.Kit.Key, m.ID, l.KitKey(m.ID))
	}
	return nil
}

// checkCoding refuses compression and encryption names this build does not know, which would name
// no data key.
func (m *Manifest) checkCoding(key string) error {
	switch m.Object.Compression {
	case CompressionZstd, CompressionNone:
	default:
		return fmt.Errorf("manifest %s: unknown object.compression %q", key, m.Object.Compression)
	}
	switch m.Object.Encryption {
	case EncryptionPGP, EncryptionNone:
	default:
		return fmt.Errorf("manifest %s: unknown object.encryption %q", key, m.Object.Encryption)
	}
	return nil
}

// Time is the backup time encoded in the ID.
func (m *Manifest) Time() time.Time {
	t, _, _ := ParseID(m.ID)
	return t
}

func encodeJSON(v any) ([]byte, error) {
	return json.MarshalIndent(v, "", "  ")
}
