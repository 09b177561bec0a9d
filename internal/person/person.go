// Package person holds the people a town knows (natural persons), companies,
// households and the links between them. Every read and write is scoped by
// the town (tenant id); no function here returns rows of another town.
//
// The birth number (rodné číslo) is personal data of the most sensitive
// kind: it is stored only where an agenda needs it, never put in URLs or
// logs, and shown masked.
package person

import (
	"context"
	"errors"
	"time"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// Person is a natural person.
type Person struct {
	ID          int64
	TenantID    int64
	GivenName   string
	FamilyName  string
	BirthDate   time.Time
	BirthNumber string // digits only; "" when the town does not hold it
	Address
	Email     string
	Phone     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Address is a postal address in the town.
type Address struct {
	Street      string
	HouseNumber string
	District    string // část obce
	City        string
	PostalCode  string
}

// FullName is "given family".
func (p *Person) FullName() string { return p.GivenName + " " + p.FamilyName }

// Company is a legal person with an IČO.
type Company struct {
	ID       int64
	TenantID int64
	ICO      string
	Name     string
	Address
	Email     string
	CreatedAt time.Time
}

// Household is people whose obligations are seen together.
type Household struct {
	ID       int64
	TenantID int64
	Name     string
	Address
	CreatedAt time.Time
}

// Member roles in a household.
const (
	RoleAdult = "adult"
	RoleChild = "child"
)

// Store reads and writes people, companies and households.
type Store struct {
	DB *db.DB
}

const personColumns = `id, tenant_id, given_name, family_name, birth_date, coalesce(birth_number, ''), street, house_number,
	district, city, postal_code, email, phone, created_at, updated_at`

func scanPerson(r db.Row) (*Person, error) {
	var p Person
	err := r.Scan(&p.ID, &p.TenantID, &p.GivenName, &p.FamilyName, &p.BirthDate, &p.BirthNumber, &p.Street,
		&p.HouseNumber, &p.District, &p.City, &p.PostalCode, &p.Email, &p.Phone, &p.CreatedAt, &p.UpdatedAt)
	return &p, err
}

// Get returns one person of the town.
func (s *Store) Get(ctx context.Context, tenantID, id int64) (_ *Person, err error) {
	defer derr.Wrap(&err, "person.Get(%d, %d)", tenantID, id)
	p, err := scanPerson(s.DB.Read().QueryRow(ctx, `SELECT `+personColumns+` FROM persons WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	return p, err
}

// Count tells how many people the town has.
func (s *Store) Count(ctx context.Context, tenantID int64) (n int64, err error) {
	defer derr.Wrap(&err, "person.Count(%d)", tenantID)
	err = s.DB.Read().QueryRow(ctx, `SELECT count(*) FROM persons WHERE tenant_id = $1`, tenantID).Scan(&n)
	return n, err
}

// HouseholdMembers lists the people of a household, adults first.
func (s *Store) HouseholdMembers(ctx context.Context, tenantID, householdID int64) (_ []*Person, err error) {
	defer derr.Wrap(&err, "person.HouseholdMembers(%d, %d)", tenantID, householdID)
	rows, err := s.DB.Read().Query(ctx, `SELECT p.id, p.tenant_id, p.given_name, p.family_name, p.birth_date,
		coalesce(p.birth_number, ''), p.street, p.house_number, p.district, p.city, p.postal_code, p.email, p.phone,
		p.created_at, p.updated_at
		FROM household_members m JOIN persons p ON p.tenant_id = m.tenant_id AND p.id = m.person_id
		WHERE m.tenant_id = $1 AND m.household_id = $2 ORDER BY m.role, p.birth_date`, tenantID, householdID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// GetCompany returns one company of the town.
func (s *Store) GetCompany(ctx context.Context, tenantID, id int64) (_ *Company, err error) {
	defer derr.Wrap(&err, "person.GetCompany(%d, %d)", tenantID, id)
	var c Company
	err = s.DB.Read().QueryRow(ctx, `SELECT id, tenant_id, ico, name, street, house_number, city, postal_code, email, created_at
		FROM companies WHERE tenant_id = $1 AND id = $2`, tenantID, id).Scan(&c.ID, &c.TenantID, &c.ICO, &c.Name,
		&c.Street, &c.HouseNumber, &c.City, &c.PostalCode, &c.Email, &c.CreatedAt)
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	return &c, err
}

// ByBirthNumber returns the town's person with the birth number (digits
// only, as czid.BirthNumber gives it).
func (s *Store) ByBirthNumber(ctx context.Context, tenantID int64, bn string) (_ *Person, err error) {
	defer derr.Wrap(&err, "person.ByBirthNumber(%d)", tenantID)
	p, err := scanPerson(s.DB.Read().QueryRow(ctx, `SELECT `+personColumns+` FROM persons WHERE tenant_id = $1 AND birth_number = $2`, tenantID, bn))
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	return p, err
}

// CompanyByICO returns the town's company with the IČO.
func (s *Store) CompanyByICO(ctx context.Context, tenantID int64, ico string) (_ *Company, err error) {
	defer derr.Wrap(&err, "person.CompanyByICO(%d)", tenantID)
	var id int64
	err = s.DB.Read().QueryRow(ctx, `SELECT id FROM companies WHERE tenant_id = $1 AND ico = $2`, tenantID, ico).Scan(&id)
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return s.GetCompany(ctx, tenantID, id)
}

// Households lists the households a person is a member of, with their role.
func (s *Store) Households(ctx context.Context, tenantID, personID int64) (_ []HouseholdRole, err error) {
	defer derr.Wrap(&err, "person.Households(%d, %d)", tenantID, personID)
	rows, err := s.DB.Read().Query(ctx, `SELECT h.id, h.name, m.role FROM household_members m
		JOIN households h ON h.tenant_id = m.tenant_id AND h.id = m.household_id
		WHERE m.tenant_id = $1 AND m.person_id = $2 ORDER BY h.id`, tenantID, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []HouseholdRole
	for rows.Next() {
		var h HouseholdRole
		if err := rows.Scan(&h.ID, &h.Name, &h.Role); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// HouseholdRole is a household of a person, and the person's role in it.
type HouseholdRole struct {
	ID   int64
	Name string
	Role string // RoleAdult, RoleChild
}

// Batch is a set of new rows written together by InsertBatch; ids are
// reserved by the caller (db.ReserveIDs) so rows can refer to each other.
type Batch struct {
	Persons         []*Person
	Households      []*Household
	Members         []Member
	Companies       []*Company
	Representatives []Representative
}

// Member puts a person in a household.
type Member struct {
	HouseholdID, PersonID int64
	Role                  string
}

// Representative lets a person act for a company by law.
type Representative struct {
	CompanyID, PersonID int64
	Role                string
}

// InsertBatch writes a batch inside tx, all rows belonging to tenantID.
func (s *Store) InsertBatch(ctx context.Context, tx *db.Tx, tenantID int64, b *Batch) (err error) {
	defer derr.Wrap(&err, "person.InsertBatch(%d)", tenantID)
	now := time.Now().UTC()
	rows := make([][]any, 0, len(b.Persons))
	for _, p := range b.Persons {
		var bn any
		if p.BirthNumber != "" {
			bn = p.BirthNumber
		}
		rows = append(rows, []any{p.ID, tenantID, p.GivenName, p.FamilyName, p.BirthDate, bn, p.Street, p.HouseNumber,
			p.District, p.City, p.PostalCode, p.Email, p.Phone, now, now})
	}
	if err := db.InsertRows(ctx, tx, "persons", []string{"id", "tenant_id", "given_name", "family_name", "birth_date",
		"birth_number", "street", "house_number", "district", "city", "postal_code", "email", "phone", "created_at",
		"updated_at"}, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, h := range b.Households {
		rows = append(rows, []any{h.ID, tenantID, h.Name, h.Street, h.HouseNumber, h.District, h.City, h.PostalCode, now})
	}
	if err := db.InsertRows(ctx, tx, "households", []string{"id", "tenant_id", "name", "street", "house_number",
		"district", "city", "postal_code", "created_at"}, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, m := range b.Members {
		rows = append(rows, []any{tenantID, m.HouseholdID, m.PersonID, m.Role})
	}
	if err := db.InsertRows(ctx, tx, "household_members", []string{"tenant_id", "household_id", "person_id", "role"}, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, c := range b.Companies {
		rows = append(rows, []any{c.ID, tenantID, c.ICO, c.Name, c.Street, c.HouseNumber, c.City, c.PostalCode, c.Email, now, now})
	}
	if err := db.InsertRows(ctx, tx, "companies", []string{"id", "tenant_id", "ico", "name", "street", "house_number",
		"city", "postal_code", "email", "created_at", "updated_at"}, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, r := range b.Representatives {
		rows = append(rows, []any{tenantID, r.CompanyID, r.PersonID, r.Role})
	}
	return db.InsertRows(ctx, tx, "company_representatives", []string{"tenant_id", "company_id", "person_id", "role"}, rows)
}
