// Package catalog names backups and keeps their manifests and drill records in a storage.Store.
//
// A backup is committed only when its manifest exists: listing ignores data objects without one.
package catalog
