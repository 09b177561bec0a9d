// Package derr is Radnice's small error vocabulary. Domain code returns these
// (wrapped with what it was doing); the faces map them to an HTTP status or
// an exit code in exactly one place each and show a localised message.
package derr

import (
	"errors"
	"fmt"
	"strings"
)

var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
	ErrConflict  = errors.New("conflict")
	ErrInvalid   = errors.New("invalid input")
)

// FieldError says what is wrong with one input field. Key names a message in
// the i18n catalogue; Message is the English text for logs and the CLI.
type FieldError struct {
	Field   string
	Key     string
	Message string
}

// InvalidError carries one or more field errors; errors.Is(err, ErrInvalid)
// holds for it.
type InvalidError struct {
	Fields []FieldError
}

func (e *InvalidError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// Add records one problem.
func (e *InvalidError) Add(field, key, message string) {
	e.Fields = append(e.Fields, FieldError{Field: field, Key: key, Message: message})
}

// Err returns e when it holds problems and nil otherwise, so validation reads
// as: var v derr.InvalidError; ...; return v.Err().
func (e *InvalidError) Err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Invalid is a shortcut for a single field error.
func Invalid(field, key, message string) error {
	return &InvalidError{Fields: []FieldError{{Field: field, Key: key, Message: message}}}
}

// Wrap prefixes *errp with the operation, once, at a package boundary:
//
//	defer derr.Wrap(&err, "tenant.Create(%q)", slug)
func Wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
	}
}
