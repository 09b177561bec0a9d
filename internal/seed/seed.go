// Package seed generates a deterministic, realistic synthetic town: people
// with valid birth numbers in households on real-sounding streets, companies
// with valid IČO and their representatives, and the first obligations (a
// yearly waste fee per person, dog fees for some households).
//
// The same seed gives the same town. Generation streams: a batch is built,
// written in one transaction and dropped, so a 1,000,000-citizen town needs
// no more memory than a small one.
package seed

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/radnice/radnice/internal/czid"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/obligation"
	"github.com/radnice/radnice/internal/person"
)

// Options describe the town to generate.
type Options struct {
	TenantID    int64
	City        string   // the town's name, for addresses
	PostalCodes []string // the town's postal codes
	Village     bool     // few streets and parts, smaller fees
	Citizens    int
	Seed        uint64
	Year        int // the fees' period; default: this year
	BatchSize   int // people per transaction; default 5000
	// Progress, when set, is called after each batch with the people so far.
	Progress func(done int)
}

// Result counts what was written.
type Result struct {
	Persons, Households, Companies, Obligations int
	Elapsed                                     time.Duration
}

// Fees of the two profiles, in haléře.
const (
	cityWasteFee    = 900_00
	villageWasteFee = 750_00
	cityDogFee      = 1500_00
	cityDogFeeMore  = 2250_00
	villageDogFee   = 200_00
	villageDogMore  = 300_00
)

// ErrNotEmpty is returned when the town already has people.
var ErrNotEmpty = errors.New("the town already has people; seed only an empty town")

// Town generates and writes the town described by o.
func Town(ctx context.Context, d *db.DB, o Options) (Result, error) {
	start := time.Now()
	var res Result
	if o.Citizens < 1 || o.Citizens > 10_000_000 {
		return res, fmt.Errorf("citizens must be from 1 to 10,000,000, not %d", o.Citizens)
	}
	if o.Year == 0 {
		o.Year = time.Now().Year()
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 5000
	}
	if len(o.PostalCodes) == 0 {
		o.PostalCodes = []string{"460 01"}
	}
	people := &person.Store{DB: d}
	if n, err := people.Count(ctx, o.TenantID); err != nil {
		return res, err
	} else if n > 0 {
		return res, ErrNotEmpty
	}
	obs := &obligation.Store{DB: d}
	wk, err := obs.EnsureKind(ctx, o.TenantID, wasteKind(o.Village))
	if err != nil {
		return res, err
	}
	dk, err := obs.EnsureKind(ctx, o.TenantID, dogKind(o.Village))
	if err != nil {
		return res, err
	}
	rk, err := obs.EnsureKind(ctx, o.TenantID, rentKind(o.Village))
	if err != nil {
		return res, err
	}

	g := &generator{
		o:       o,
		rng:     rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)),
		bn:      map[int32]uint16{},
		waste:   wk,
		dog:     dk,
		rent:    rk,
		icoBase: int(o.Seed % 10_000_000),
	}
	if o.Village {
		g.streets, g.districts = streetNames[:min(15, len(streetNames))], villageParts
	} else {
		g.streets, g.districts = streetNames, cityDistricts
	}
	for res.Persons < o.Citizens {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		b := g.batch(min(o.BatchSize, o.Citizens-res.Persons))
		if err := d.InTx(ctx, func(tx *db.Tx) error { return g.write(ctx, tx, people, obs, b) }); err != nil {
			return res, err
		}
		res.Persons += len(b.persons)
		res.Households += len(b.households)
		res.Companies += len(b.companies)
		res.Obligations += len(b.obligations)
		if o.Progress != nil {
			o.Progress(res.Persons)
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

func wasteKind(village bool) obligation.Kind {
	k := obligation.Kind{Code: "odpad", NameCS: "Poplatek za komunální odpad", NameEN: "Municipal waste fee",
		Department: "Odbor ekonomiky", YearlyAmount: cityWasteFee}
	if village {
		k.YearlyAmount, k.Department = villageWasteFee, "Obecní úřad"
	}
	return k
}

func dogKind(village bool) obligation.Kind {
	k := obligation.Kind{Code: "pes", NameCS: "Poplatek ze psů", NameEN: "Dog fee",
		Department: "Odbor ekonomiky", YearlyAmount: cityDogFee}
	if village {
		k.YearlyAmount, k.Department = villageDogFee, "Obecní úřad"
	}
	return k
}

// rentKind is the rent of a town flat: a household's obligation, paid in
// quarterly instalments.
func rentKind(village bool) obligation.Kind {
	k := obligation.Kind{Code: "najem", NameCS: "Nájemné za obecní byt", NameEN: "Rent of a town flat",
		Department: "Odbor správy majetku"}
	if village {
		k.Department = "Obecní úřad"
	}
	return k
}

type generator struct {
	o                  Options
	rng                *rand.Rand
	bn                 map[int32]uint16 // next serial per day of birth and sex
	waste, dog, rent   *obligation.Kind
	streets, districts []string
	icoBase            int
	companies          int
	wasteSeq, dogSeq   int64
	householdSeq       int64
	rentSeq            int64
}

// batch is generated with indices into its own slices; write gives it ids.
type batch struct {
	persons     []*person.Person
	households  []*person.Household
	members     [][2]int // household index, person index
	roles       []string
	companies   []*person.Company
	reps        [][2]int // company index, person index
	obligations []*obligation.Obligation
	obPerson    []int // person index per obligation
	obHousehold []int // household index per obligation, -1 when none
}

func (g *generator) batch(n int) *batch {
	b := &batch{}
	for len(b.persons) < n {
		g.household(b, n-len(b.persons))
	}
	return b
}

// household adds one household of at most room people, its fees, and now
// and then a company one of its adults represents.
func (g *generator) household(b *batch, room int) {
	r := g.rng
	sn := surnames[r.IntN(len(surnames))]
	addr := g.address()
	ref := time.Date(g.o.Year, 1, 1, 0, 0, 0, 0, time.UTC)
	var adults, children int
	var elderly bool
	switch x := r.IntN(100); {
	case x < 28:
		adults = 1
	case x < 53:
		adults = 2
	case x < 83:
		adults, children = 2, 1+r.IntN(3)
	case x < 93:
		adults, children = 1, 1+r.IntN(2)
	default:
		adults, elderly = 2, true
	}
	adults = min(adults, room)
	children = min(children, room-adults)

	hi := len(b.households)
	b.households = append(b.households, &person.Household{Name: "Domácnost " + sn.Male, Address: addr})
	g.householdSeq++
	firstAdult, parentAge := -1, 0
	for i := range adults {
		var age int
		switch {
		case elderly:
			age = 66 + r.IntN(25)
		case i == 0 && children > 0:
			age = 24 + r.IntN(25)
		case i == 0:
			age = 19 + r.IntN(64)
		default:
			age = max(19, parentAge-5+r.IntN(11))
		}
		if i == 0 {
			parentAge = age
		}
		sex := czid.Male
		if (adults == 2 && i == 1) || (adults == 1 && r.IntN(2) == 0) {
			sex = czid.Female
		}
		pi := g.addPerson(b, hi, person.RoleAdult, g.person(sn, sex, g.birthDate(ref, age), addr, true))
		if firstAdult < 0 {
			firstAdult = pi
		}
	}
	for range children {
		age := r.IntN(max(1, min(18, parentAge-18)))
		g.addPerson(b, hi, person.RoleChild, g.person(sn, czid.Sex(1+r.IntN(2)), g.birthDate(ref, age), addr, false))
	}
	if firstAdult < 0 {
		return
	}
	// About a quarter of households keep a dog, a few two.
	dogs := 0
	switch x := r.IntN(100); {
	case x < 20:
		dogs = 1
	case x < 25:
		dogs = 2
	}
	for i := range dogs {
		amount := g.dog.YearlyAmount
		if i > 0 {
			amount = cityDogFeeMore
			if g.o.Village {
				amount = villageDogMore
			}
		}
		g.dogSeq++
		name, breed := dogNames[r.IntN(len(dogNames))], dogBreeds[r.IntN(len(dogBreeds))]
		b.obligations = append(b.obligations, &obligation.Obligation{
			KindID: g.dog.ID, Period: fmt.Sprint(g.o.Year), Description: name + " (" + breed + ")",
			Amount: amount, DueDate: time.Date(g.o.Year, 3, 31, 0, 0, 0, 0, time.UTC),
			VS: vs(2, g.o.Year, g.dogSeq),
		})
		b.obPerson = append(b.obPerson, firstAdult)
		b.obHousehold = append(b.obHousehold, -1)
	}
	// Every twelfth household rents a town flat: the rent is the
	// household's, billed to its first adult, in quarterly instalments. It is
	// picked by count, not by the random stream, so adding it changed no
	// other generated person.
	if g.householdSeq%12 == 1 {
		g.rentSeq++
		monthly := int64(3500+(g.rentSeq*37%60)*100) * 100
		var parts []obligation.Instalment
		for q := range 4 {
			parts = append(parts, obligation.Instalment{Seq: q + 1, Amount: 3 * monthly,
				Due: time.Date(g.o.Year, time.Month(3*q+4), 0, 0, 0, 0, 0, time.UTC)})
		}
		b.obligations = append(b.obligations, &obligation.Obligation{
			KindID: g.rent.ID, Period: fmt.Sprint(g.o.Year), Description: addr.Street + " " + addr.HouseNumber,
			Amount: 12 * monthly, DueDate: parts[3].Due, VS: vs(3, g.o.Year, g.rentSeq), Instalments: parts,
		})
		b.obPerson = append(b.obPerson, firstAdult)
		b.obHousehold = append(b.obHousehold, hi)
	}
	// About one household in forty runs a company.
	if r.IntN(40) == 0 {
		g.company(b, firstAdult, sn)
	}
}

func (g *generator) birthDate(ref time.Time, age int) time.Time {
	return ref.AddDate(-age, -g.rng.IntN(12), -g.rng.IntN(28))
}

// addPerson puts p in household hi, assesses the waste fee and returns p's index.
func (g *generator) addPerson(b *batch, hi int, role string, p *person.Person) int {
	pi := len(b.persons)
	b.persons = append(b.persons, p)
	b.members = append(b.members, [2]int{hi, pi})
	b.roles = append(b.roles, role)
	g.wasteSeq++
	b.obligations = append(b.obligations, &obligation.Obligation{
		KindID: g.waste.ID, Period: fmt.Sprint(g.o.Year), Amount: g.waste.YearlyAmount,
		DueDate: time.Date(g.o.Year, 5, 31, 0, 0, 0, 0, time.UTC), VS: vs(1, g.o.Year, g.wasteSeq),
	})
	b.obPerson = append(b.obPerson, pi)
	b.obHousehold = append(b.obHousehold, -1)
	return pi
}

// vs builds a variable symbol: a digit for the kind, two for the year, seven
// for the sequence.
func vs(kind, year int, seq int64) int64 {
	return int64(kind)*1_000_000_000 + int64(year%100)*10_000_000 + seq%10_000_000
}

func (g *generator) address() person.Address {
	r := g.rng
	a := person.Address{
		Street:     g.streets[r.IntN(len(g.streets))],
		District:   g.districts[r.IntN(len(g.districts))],
		City:       g.o.City,
		PostalCode: g.o.PostalCodes[r.IntN(len(g.o.PostalCodes))],
	}
	if g.o.Village {
		a.HouseNumber = fmt.Sprint(1 + r.IntN(320))
	} else {
		a.HouseNumber = fmt.Sprintf("%d/%d", 100+r.IntN(2900), 1+r.IntN(60))
	}
	return a
}

func (g *generator) person(sn surname, sex czid.Sex, birth time.Time, addr person.Address, adult bool) *person.Person {
	r := g.rng
	p := &person.Person{BirthDate: birth, Address: addr}
	if sex == czid.Female {
		p.GivenName, p.FamilyName = femaleGivenNames[r.IntN(len(femaleGivenNames))], sn.Female
	} else {
		p.GivenName, p.FamilyName = maleGivenNames[r.IntN(len(maleGivenNames))], sn.Male
	}
	p.BirthNumber = g.birthNumber(birth, sex)
	if adult {
		// Reserved example domains: no real mailbox ever gets a demo message.
		if r.IntN(100) < 62 {
			p.Email = fmt.Sprintf("%s.%s%d@%s", ascii(p.GivenName), ascii(p.FamilyName), r.IntN(100),
				[]string{"example.com", "example.org", "example.net"}[r.IntN(3)])
		}
		if r.IntN(100) < 71 {
			p.Phone = fmt.Sprintf("+420 %d%02d %03d %03d", 6+r.IntN(2), r.IntN(100), r.IntN(1000), r.IntN(1000))
		}
	}
	return p
}

// birthNumber gives each person a unique valid rodné číslo: the serial
// counts up per day of birth and sex, skipping serials that cannot be valid.
func (g *generator) birthNumber(birth time.Time, sex czid.Sex) string {
	key := int32(birth.Sub(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC))/(24*time.Hour))*2 + int32(sex)
	for {
		serial := g.bn[key]
		if serial > 999 {
			return "" // no serial left for that day: the town holds no number for this one
		}
		g.bn[key] = serial + 1
		if bn, err := czid.NewBirthNumber(birth, sex, int(serial)); err == nil {
			return string(bn)
		}
	}
}

func (g *generator) company(b *batch, rep int, sn surname) {
	r := g.rng
	word := sn.Male
	g.companies++
	c := &person.Company{
		ICO:     czid.NewICO((g.icoBase + g.companies*13) % 10_000_000), // 13 is coprime to 10⁷: no repeats
		Name:    fmt.Sprintf(companyPatterns[r.IntN(len(companyPatterns))], word) + " " + companyForms[r.IntN(len(companyForms))],
		Address: g.address(),
		Email:   fmt.Sprintf("info@%s%d.example.com", ascii(word), g.companies),
	}
	ci := len(b.companies)
	b.companies = append(b.companies, c)
	b.reps = append(b.reps, [2]int{ci, rep})
}

// write reserves ids, links the batch's rows and stores them.
func (g *generator) write(ctx context.Context, tx *db.Tx, people *person.Store, obs *obligation.Store, b *batch) error {
	pids, err := db.ReserveIDs(ctx, tx, "persons", len(b.persons))
	if err != nil {
		return err
	}
	hids, err := db.ReserveIDs(ctx, tx, "households", len(b.households))
	if err != nil {
		return err
	}
	cids, err := db.ReserveIDs(ctx, tx, "companies", len(b.companies))
	if err != nil {
		return err
	}
	oids, err := db.ReserveIDs(ctx, tx, "obligations", len(b.obligations))
	if err != nil {
		return err
	}
	pb := &person.Batch{Persons: b.persons, Households: b.households, Companies: b.companies}
	for i, p := range b.persons {
		p.ID = pids[i]
	}
	for i, h := range b.households {
		h.ID = hids[i]
	}
	for i, c := range b.companies {
		c.ID = cids[i]
	}
	for i, m := range b.members {
		pb.Members = append(pb.Members, person.Member{HouseholdID: hids[m[0]], PersonID: pids[m[1]], Role: b.roles[i]})
	}
	for _, rp := range b.reps {
		pb.Representatives = append(pb.Representatives, person.Representative{CompanyID: cids[rp[0]], PersonID: pids[rp[1]], Role: "jednatel"})
	}
	for i, o := range b.obligations {
		o.ID, o.PersonID = oids[i], pids[b.obPerson[i]]
		if h := b.obHousehold[i]; h >= 0 {
			o.HouseholdID = hids[h]
		}
	}
	if err := people.InsertBatch(ctx, tx, g.o.TenantID, pb); err != nil {
		return err
	}
	return obs.InsertAssessed(ctx, tx, g.o.TenantID, b.obligations)
}

// ascii folds a name for an e-mail address: "Řehoř" -> "rehor".
func ascii(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, _ := transform.String(t, s)
	return strings.ToLower(strings.NewReplacer(" ", "", ".", "", "-", "").Replace(out))
}
