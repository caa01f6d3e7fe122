package kubecrypt

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
)

// MaxSampleErrors bounds Sample.Errors: one bad key usually fails many values alike.
const MaxSampleErrors = 5

// Sample summarizes the check of many stored values.
type Sample struct {
	Checked   int     // values checked
	Decrypted int     // encrypted values that decrypted
	Plain     int     // values in the clear that the configuration allows
	KMS       int     // KMS values, not checkable offline (not failures)
	Failed    int     // values with any other error
	Errors    []error // the first MaxSampleErrors failures, each prefixed by its etcd key
}

// CheckAll checks every etcd key and value of kvs.
func (c *Config) CheckAll(kvs iter.Seq2[string, []byte]) Sample {
	var s Sample
	for k, v := range kvs {
		s.add(k, v, c.Check(k, v))
	}
	return s
}

func (s *Sample) add(key string, value []byte, err error) {
	s.Checked++
	switch {
	case err == nil && bytes.HasPrefix(value, encPrefix):
		s.Decrypted++
	case err == nil:
		s.Plain++
	case errors.Is(err, ErrKMS):
		s.KMS++
	default:
		s.Failed++
		if len(s.Errors) < MaxSampleErrors {
			s.Errors = append(s.Errors, fmt.Errorf("%s: %w", key, err))
		}
	}
}

// Err is nil when no value failed, else the first errors and how many failed in all.
func (s Sample) Err() error {
	if s.Failed == 0 {
		return nil
	}
	head := fmt.Errorf("%d of %d values do not decrypt with the EncryptionConfiguration", s.Failed, s.Checked)
	return errors.Join(append([]error{head}, s.Errors...)...)
}
