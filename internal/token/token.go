// Package token makes the secrets Radnice hands to browsers and mailboxes
// (session cookies, invitation and reset links) and the digests it stores
// in their place, so that a copy of the database opens no session and
// redeems no link.
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// Len is the length of a token: 32 random bytes in unpadded base64url.
const Len = 43

// New returns a fresh random token and the digest to store for it.
func New() (token, digest string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics instead)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, Digest(token)
}

// Digest is the hex SHA-256 of a token: what the database keeps.
func Digest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
