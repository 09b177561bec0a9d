package demo

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/radnice/radnice/internal/form"
)

// The demo town's catalogue of life situations ("Potřebuji vyřídit"):
// catalog/categories.json lists the categories, catalog/situations holds
// one JSON file per situation, named by its slug. The content is written
// for the demo town Jizerov; the texts are Czech with an optional English
// translation.
//
//go:embed catalog
var catalogFiles embed.FS

// CatalogData is the demo catalogue: its categories in display order and
// its situations sorted by slug.
type CatalogData struct {
	Categories []Category
	Situations []Situation
}

// Category is a group of life situations.
type Category struct {
	Slug        string    `json:"slug"`
	Name        form.Text `json:"name"`
	Description form.Text `json:"description"`
}

// Situation is one life situation: what a citizen needs to arrange, who
// it is for, what to bring, where, when, how much and on what legal basis.
// Body is Markdown (no raw HTML).
type Situation struct {
	Slug       string      `json:"slug"`
	Category   string      `json:"category"`
	Title      form.Text   `json:"title"`
	Summary    form.Text   `json:"summary"`
	Who        form.Text   `json:"who"`
	Bring      []form.Text `json:"bring"`
	Where      form.Text   `json:"where"`
	Department string      `json:"department"`
	Hours      form.Text   `json:"hours"`
	Cost       form.Text   `json:"cost"`
	Deadlines  form.Text   `json:"deadlines"`
	LegalBasis []form.Text `json:"legal_basis"`
	Forms      []string    `json:"forms"`
	Related    []string    `json:"related"`
	Contact    Contact     `json:"contact"`
	Keywords   []string    `json:"keywords"`
	Body       form.Text   `json:"body"`
}

// Contact is where to ask about a situation.
type Contact struct {
	Department string `json:"department"`
	Email      string `json:"email"`
	Phone      string `json:"phone"`
}

// Catalog reads the embedded catalogue. Files are decoded strictly: an
// unknown key or trailing data is an error, so a typo in a file name of a
// field does not silently drop content.
func Catalog() (*CatalogData, error) {
	var c CatalogData
	b, err := catalogFiles.ReadFile("catalog/categories.json")
	if err != nil {
		return nil, err
	}
	if err := decodeStrict(b, &c.Categories); err != nil {
		return nil, fmt.Errorf("catalog/categories.json: %w", err)
	}
	names, err := fs.Glob(catalogFiles, "catalog/situations/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := catalogFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		var s Situation
		if err := decodeStrict(b, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		if want := strings.TrimSuffix(path.Base(n), ".json"); s.Slug != want {
			return nil, fmt.Errorf("%s: slug %q does not match the file name", n, s.Slug)
		}
		c.Situations = append(c.Situations, s)
	}
	return &c, nil
}

func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}
