package obligation_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/obligation"
)

// Assessing one obligation at a time gives each a new symbol of its
// kind's and year's range, above those the seed wrote, unique however many
// are assessed at once; an unknown kind assesses nothing.
func TestAssess(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	tn := fixture.Town(t, d, "lhota", 30)
	s := &obligation.Store{DB: d}
	var person, company int64
	if err := d.Read().QueryRow(ctx, `SELECT min(id) FROM persons WHERE tenant_id = $1`, tn.ID).Scan(&person); err != nil {
		t.Fatal(err)
	}
	if err := d.Read().QueryRow(ctx, `SELECT min(id) FROM companies WHERE tenant_id = $1`, tn.ID).Scan(&company); err != nil {
		t.Fatal(err)
	}
	year := time.Now().Year()
	low := obligation.VSPrefix("pes", year) * 10_000_000
	var seeded int64
	if err := d.Read().QueryRow(ctx, `SELECT coalesce(max(vs), 0) FROM obligations WHERE tenant_id = $1 AND vs >= $2 AND vs < $3`,
		tn.ID, low, low+10_000_000).Scan(&seeded); err != nil {
		t.Fatal(err)
	}
	due := time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	assess := func(a obligation.Assessment) (*obligation.Obligation, error) {
		var o *obligation.Obligation
		err := d.InTx(ctx, func(tx *db.Tx) error {
			var err error
			o, err = s.Assess(ctx, tx, tn.ID, a)
			return err
		})
		return o, err
	}
	dog := obligation.Assessment{Kind: "pes", PersonID: person, Year: year, Description: "Alík (jezevčík)", Amount: 150000, DueDate: due}

	const n = 20
	var wg sync.WaitGroup
	got := make(chan int64, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := dog
			if i%2 == 1 {
				a.PersonID, a.CompanyID = 0, company
			}
			o, err := assess(a)
			if err != nil {
				t.Error(err)
				return
			}
			got <- o.VS
		}()
	}
	wg.Wait()
	close(got)
	seen := map[int64]bool{}
	for vs := range got {
		if seen[vs] || vs <= max(seeded, low) || vs >= low+10_000_000 {
			t.Errorf("symbol %d: repeated or outside (%d, %d)", vs, max(seeded, low), low+10_000_000)
		}
		seen[vs] = true
	}
	if len(seen) != n {
		t.Fatalf("%d symbols for %d assessments", len(seen), n)
	}
	// Each has its assessment in the ledger and is owed in full.
	o, err := assess(dog)
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.Line(ctx, tn.ID, o.ID)
	if err != nil || l.Balance != 150000 || l.Description != "Alík (jezevčík)" || l.PersonID != person || !l.DueDate.Equal(due) {
		t.Fatalf("assessed: %+v, %v", l, err)
	}
	if byVS, err := s.ByVS(ctx, tn.ID, o.VS); err != nil || byVS.ID != o.ID {
		t.Fatalf("by symbol: %v", err)
	}

	// Another kind takes its own range.
	if _, err := s.EnsureKind(ctx, tn.ID, obligation.Kind{Code: "parkovani", NameCS: "Parkovací karta", NameEN: "Parking permit", Department: "Odbor dopravy"}); err != nil {
		t.Fatal(err)
	}
	p, err := assess(obligation.Assessment{Kind: "parkovani", PersonID: person, Year: year, Amount: 70000, DueDate: due})
	if err != nil || p.VS/10_000_000 != obligation.VSPrefix("parkovani", year) {
		t.Fatalf("parking permit: %+v, %v", p, err)
	}

	var before int
	d.Read().QueryRow(ctx, `SELECT count(*) FROM obligations WHERE tenant_id = $1`, tn.ID).Scan(&before)
	for _, a := range []obligation.Assessment{
		{Kind: "nic", PersonID: person, Year: year, Amount: 100, DueDate: due},
		{Kind: "pes", Year: year, Amount: 100, DueDate: due},
		{Kind: "pes", PersonID: person, CompanyID: company, Year: year, Amount: 100, DueDate: due},
		{Kind: "pes", PersonID: person, Year: year, Amount: 0, DueDate: due},
		{Kind: "pes", PersonID: person, Year: year, Amount: 100},
	} {
		if _, err := assess(a); err == nil {
			t.Errorf("assessed %+v", a)
		}
	}
	if _, err := assess(obligation.Assessment{Kind: "nic", PersonID: person, Year: year, Amount: 100, DueDate: due}); !errors.Is(err, obligation.ErrNoKind) {
		t.Errorf("unknown kind: %v", err)
	}
	var after int
	d.Read().QueryRow(ctx, `SELECT count(*) FROM obligations WHERE tenant_id = $1`, tn.ID).Scan(&after)
	if after != before {
		t.Errorf("refused assessments wrote %d obligations", after-before)
	}
}
