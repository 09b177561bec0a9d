package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/radnice/radnice/internal/config"
	"github.com/radnice/radnice/internal/db/dbtest"
)

// `radnice import statement` books a camt.053 file once: the transfer pays
// the obligation whose symbol it carries (written zero-padded, as some
// banks do), a second import adds nothing, and a broken file changes
// nothing.
func TestImportStatementCommand(t *testing.T) {
	t.Parallel()
	envVars := map[string]string{"RADNICE_DATA_DIR": t.TempDir()}
	if url := dbtest.PostgresURL(); url != "" {
		envVars = map[string]string{"RADNICE_DATABASE_URL": dbtest.Options(t).URL}
	}
	for _, args := range [][]string{{"migrate"}, {"tenant", "add", "--slug", "lhota", "--name", "Lhota", "--host", "lhota.test",
		"--iban", "CZ6508000000192000145399"}, {"seed", "--tenant", "lhota", "--citizens", "30", "--seed", "5"}} {
		if code, _, errs := runCmd(t, envVars, args...); code != 0 {
			t.Fatalf("%v: %q", args, errs)
		}
	}
	ctx := context.Background()
	cfg, err := config.Load(func(k string) string { return envVars[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var id, vs, amount int64
	if err := d.Read().QueryRow(ctx, `SELECT id, vs, amount FROM obligations ORDER BY id LIMIT 1`).Scan(&id, &vs, &amount); err != nil {
		t.Fatal(err)
	}
	camt := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>1</MsgId><CreDtTm>2026-11-20T08:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><ElctrncSeqNb>7</ElctrncSeqNb><Acct><Id><IBAN>CZ6508000000192000145399</IBAN></Id></Acct>
<Ntry><Amt Ccy="CZK">%d.%02d</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-11-20</Dt></BookgDt><ValDt><Dt>2026-11-20</Dt></ValDt>
<AcctSvcrRef>REF-0001</AcctSvcrRef><NtryDtls><TxDtls><Refs><EndToEndId>/VS00%d/SS/KS0308</EndToEndId></Refs>
<RltdPties><Dbtr><Nm>Jan Plátce</Nm></Dbtr></RltdPties><RmtInf><Ustrd>poplatek</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>`, amount/100, amount%100, vs)
	file := filepath.Join(t.TempDir(), "vypis.xml")
	os.WriteFile(file, []byte(camt), 0o600)
	balance := func() int64 {
		var b int64
		d.Read().QueryRow(ctx, `SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE obligation_id = $1`, id).Scan(&b)
		return b
	}
	before := balance()
	code, out, errs := runCmd(t, envVars, "import", "statement", "--tenant", "lhota", file)
	if code != 0 || !strings.Contains(out, "1 booked") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	if got := balance(); got != before-amount {
		t.Fatalf("balance %d → %d, paid %d", before, got, amount)
	}
	var recorded int
	d.Read().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'statement.import' AND actor_kind = 'system'`).Scan(&recorded)
	if recorded != 1 {
		t.Fatalf("the import was recorded %d times", recorded)
	}
	if code, out, _ := runCmd(t, envVars, "import", "statement", "--tenant", "lhota", file); code != 0 || !strings.Contains(out, "1 imported before") || balance() != before-amount {
		t.Fatalf("second import: %d %q", code, out)
	}
	// A statement of another account is refused unless asked for.
	other := filepath.Join(t.TempDir(), "jiny.xml")
	os.WriteFile(other, []byte(strings.Replace(strings.Replace(camt, "CZ6508000000192000145399", "CZ5855000000001265098001", 1), "REF-0001", "REF-0002", 1)), 0o600)
	if code, _, errs := runCmd(t, envVars, "import", "statement", "--tenant", "lhota", other); code != 1 || !strings.Contains(errs, "--any-account") {
		t.Fatalf("another account: %d %q", code, errs)
	}
	if balance() != before-amount {
		t.Fatal("a refused statement changed the balance")
	}
	broken := filepath.Join(t.TempDir(), "broken.xml")
	os.WriteFile(broken, []byte(strings.Replace(camt, "</Ntry>", "", 1)), 0o600)
	if code, _, errs := runCmd(t, envVars, "import", "statement", "--tenant", "lhota", broken); code != 1 || errs == "" {
		t.Fatalf("broken file: %d %q", code, errs)
	}
	if code, _, _ := runCmd(t, envVars, "import", "statement", "--tenant", "lhota"); code != 2 {
		t.Fatalf("no file: %d", code)
	}
}
