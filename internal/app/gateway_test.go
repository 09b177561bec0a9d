package app

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/radnice/radnice/internal/db/dbtest"
)

// `radnice gateway set` configures a town's GP webpay or ComGate from key
// and secret files, refusing bad flags (exit 2) and a key that does not
// parse (exit 1) before anything is written; `gateway list` shows both
// without any secret.
func TestGatewayCommands(t *testing.T) {
	t.Parallel()
	envVars := map[string]string{"RADNICE_DATA_DIR": t.TempDir()}
	if url := dbtest.PostgresURL(); url != "" {
		envVars = map[string]string{"RADNICE_DATABASE_URL": dbtest.Options(t).URL}
	}
	if code, _, errs := runCmd(t, envVars, "migrate"); code != 0 {
		t.Fatalf("migrate: %d %q", code, errs)
	}
	if code, _, errs := runCmd(t, envVars, "tenant", "add", "--slug", "lhota", "--name", "Lhota", "--host", "lhota.test"); code != 0 {
		t.Fatalf("tenant add: %d %q", code, errs)
	}

	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	merchant, _ := rsa.GenerateKey(rand.Reader, 2048)
	gp, _ := rsa.GenerateKey(rand.Reader, 2048)
	merchantPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(merchant)}))
	keyFile := write("merchant.pem", merchantPEM)
	gpDER, _ := x509.MarshalPKIXPublicKey(&gp.PublicKey)
	gpFile := write("gpe.pem", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: gpDER})))
	//lint:ignore SA1019 the legacy encrypted form is what GP webpay hands out; the command must read it.
	encBlock, err := x509.EncryptPEMBlock(rand.Reader, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(merchant), []byte("heslo-klice"), x509.PEMCipherAES256)
	if err != nil {
		t.Fatal(err)
	}
	encFile := write("merchant-enc.pem", string(pem.EncodeToMemory(encBlock)))
	passFile := write("password", "heslo-klice\n")
	wrongPass := write("wrong", "jine-heslo\n")
	badKey := write("bad.pem", "-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----\n")
	secretFile := write("secret", "comgate-tajemstvi-42\n")

	gpArgs := func(merchantNo, key string, extra ...string) []string {
		return append([]string{"gateway", "set", "--tenant", "lhota", "--name", "gpwebpay", "--merchant", merchantNo,
			"--url", "https://test.3dsecure.gpwebpay.com/pgw/order.do", "--ws-url", "https://test.3dsecure.gpwebpay.com/pay-ws/v1/PaymentService",
			"--key-file", key, "--gp-key-file", gpFile}, extra...)
	}
	refused := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no verb", []string{"gateway"}, 2, "gateway list"},
		{"no town", []string{"gateway", "list"}, 2, "--tenant is required"},
		{"unknown gateway", []string{"gateway", "set", "--tenant", "lhota", "--name", "gopay", "--merchant", "1"}, 2, "--name must be gpwebpay or comgate"},
		{"missing flags", []string{"gateway", "set", "--tenant", "lhota", "--name", "gpwebpay", "--merchant", "1"}, 2, "--gp-key-file"},
		{"another gateway's flag", gpArgs("1", keyFile, "--api-url", "https://x.test"), 2, "--api-url is not a setting of gpwebpay"},
		{"comgate without secret", []string{"gateway", "set", "--tenant", "lhota", "--name", "comgate", "--merchant", "1"}, 2, "--secret-file"},
		{"bad key", gpArgs("1", badKey), 1, "--key-file"},
		{"public key as merchant key", gpArgs("1", gpFile), 1, "--key-file"},
		{"encrypted key without password", gpArgs("1", encFile), 1, "password"},
		{"encrypted key, wrong password", gpArgs("1", encFile, "--key-password-file", wrongPass), 1, "password"},
		{"bad GP key", gpArgs("1", keyFile, "--gp-key-file", badKey), 1, "--gp-key-file"},
		{"bad URL", append(gpArgs("1", keyFile), "--url", "ftp://x"), 1, "URL"},
		{"unknown town", []string{"gateway", "list", "--tenant", "nowhere"}, 1, "nowhere"},
	}
	for _, c := range refused {
		code, _, errs := runCmd(t, envVars, c.args...)
		if code != c.wantCode || !strings.Contains(errs, c.wantErr) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d mentioning %q", c.name, code, errs, c.wantCode, c.wantErr)
		}
	}
	// Nothing of that was written.
	if code, out, _ := runCmd(t, envVars, "gateway", "list", "--tenant", "lhota"); code != 0 || !strings.Contains(out, "no card gateway") {
		t.Fatalf("list after refusals: %d %q", code, out)
	}

	if code, out, errs := runCmd(t, envVars, gpArgs("8888880001", encFile, "--key-password-file", passFile)...); code != 0 ||
		!strings.Contains(out, "gpwebpay of Lhota saved, active") {
		t.Fatalf("gateway set gpwebpay: %d %q %q", code, out, errs)
	}
	if code, out, errs := runCmd(t, envVars, "gateway", "set", "--tenant", "lhota", "--name", "comgate", "--merchant", "498621",
		"--secret-file", secretFile, "--test"); code != 0 || !strings.Contains(out, "https://lhota.test/platba/comgate/notifikace") {
		t.Fatalf("gateway set comgate: %d %q %q", code, out, errs)
	}
	// A bad key for the existing GP webpay row changes nothing.
	if code, _, _ := runCmd(t, envVars, gpArgs("1111111111", badKey)...); code != 1 {
		t.Fatalf("bad key over an existing row: %d", code)
	}
	code, out, _ := runCmd(t, envVars, "gateway", "list", "--tenant", "lhota")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 ||
		!strings.HasPrefix(lines[0], "comgate") || !strings.Contains(lines[0], " active ") || !strings.Contains(lines[0], "498621") ||
		!strings.Contains(lines[0], "payments.comgate.cz") || !strings.Contains(lines[0], "test payments") ||
		!strings.HasPrefix(lines[1], "gpwebpay") || !strings.Contains(lines[1], "inactive") || !strings.Contains(lines[1], "8888880001") {
		t.Fatalf("gateway list: %d\n%s", code, out)
	}
	keyBody := strings.Split(merchantPEM, "\n")[1]
	for _, secret := range []string{"comgate-tajemstvi-42", "heslo-klice", "PRIVATE", keyBody} {
		if strings.Contains(out, secret) {
			t.Errorf("gateway list shows a secret: %q", secret)
		}
	}
	// Both saves are in the audit log, whose chain holds.
	if code, out, errs := runCmd(t, envVars, "audit", "verify", "--tenant", "lhota"); code != 0 || !strings.Contains(out, "OK, 2 entries") {
		t.Fatalf("audit verify: %d %q %q", code, out, errs)
	}
}
