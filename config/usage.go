package config

import "errors"

// Error is a problem the operator fixes in the config file or in a file it names (a key, a
// certificate, a password file), found while translating the config for a command.
type Error struct {
	Field string
	Err   error
}

func (e *Error) Error() string {
	if e.Field == "" { // the error names what is wrong itself
		return e.Err.Error()
	}
	return e.Field + ": " + e.Err.Error()
}
func (e *Error) Unwrap() error { return e.Err }

// IsConfigError says whether err is the operator's to fix in the config or the files it names,
// rather than a failure of the operation: the rule behind exit code 2.
func IsConfigError(err error) bool {
	var (
		ce *Error
		fe *FieldError
		es *Errors
	)
	return errors.As(err, &ce) || errors.As(err, &fe) || errors.As(err, &es)
}
