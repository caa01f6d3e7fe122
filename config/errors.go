package config

import (
	"fmt"
	"strings"
)

// FieldError is one problem with one field. Field is a path such as `etcd.cacert` or
// `destinations[1].url`; it is empty for problems with the file as a whole.
type FieldError struct {
	Field, Msg string

	validity bool // an etcd certificate out of its validity period
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// Errors lists every problem found, in file order. Validate and Parse return it as *Errors.
type Errors []*FieldError

// Error gives one problem per line.
func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, fe := range e {
		lines[i] = fe.Error()
	}
	return strings.Join(lines, "\n")
}

func (e *Errors) add(field, format string, args ...any) {
	*e = append(*e, &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
}

// addErr adds err to the problems of field, when it is not nil.
func addErr(e *Errors, field string, err error) {
	if err != nil {
		e.add(field, "%v", err)
	}
}

// err returns e as an error, or nil when there is no problem.
func (e Errors) err() error {
	if len(e) == 0 {
		return nil
	}
	return &e
}

// withSource prefixes errs with the file they come from.
func withSource(source string, errs error) error {
	var n int
	if es, ok := errs.(*Errors); ok {
		n = len(*es)
	}
	switch {
	case source == "":
		return errs
	case n > 1:
		return fmt.Errorf("%s: %d problems:\n%w", source, n, errs)
	default:
		return fmt.Errorf("%s: %w", source, errs)
	}
}
