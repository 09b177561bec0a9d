package auth

import (
	"crypto/subtle"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

const totpPeriod = 30 // seconds, as every authenticator app assumes

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// NewTOTPKey makes a secret for an official's authenticator app.
func NewTOTPKey(issuer, account string) (*otp.Key, error) {
	return totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// checkTOTP accepts code for the current 30-second step or one step either
// side (clock drift), but only a step later than lastStep: a code seen once
// is never accepted again. It returns the step to remember.
func checkTOTP(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	if len(code) != 6 {
		return 0, false
	}
	current := now.Unix() / totpPeriod
	for _, s := range []int64{current - 1, current, current + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			if s <= lastStep {
				return 0, false
			}
			return s, true
		}
	}
	return 0, false
}

// TOTPCode is the code an authenticator shows at t (for tests and the demo).
func TOTPCode(secret string, t time.Time) string {
	c, _ := totp.GenerateCodeCustom(secret, t, totpOpts)
	return c
}
