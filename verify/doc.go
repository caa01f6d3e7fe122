// Package verify proves that backups can be recovered.
//
// Quick streams a backup's object through decryption and decompression and compares every
// checksum and size with the manifest. Deep also restores the snapshot into a scratch directory,
// starts an embedded etcd on it and compares its revision and key count with the manifest. Fetch
// streams the verified plain snapshot, and Restore builds an etcd data dir from a backup. Drill
// picks a backup and runs Deep on it, for the daemon's schedule.
//
// Everything streams: no object is ever held in memory. A decrypted stream is trusted only once it
// has been read to its end, since OpenPGP reports tampering only there.
package verify
