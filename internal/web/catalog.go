package web

import (
	"net/http"

	"github.com/radnice/radnice/internal/catalog"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/web/view"
)

// The catalogue of life situations ("Potřebuji vyřídit"): categories, a
// category, a situation and the A–Z index, for anybody. Citizens see the
// town's published situations only, in Czech or, where a translation
// exists, in English.

// local is a catalogue text in the request's language, marked when it
// falls back to Czech.
func local(t catalog.Text, lang string) view.Local {
	text, in := t.In(lang)
	if in == lang {
		in = ""
	}
	return view.Local{Text: text, Lang: in}
}

func locals(ts []catalog.Text, lang string) []view.Local {
	out := make([]view.Local, len(ts))
	for i, t := range ts {
		out[i] = local(t, lang)
	}
	return out
}

func situationLink(s catalog.Situation, lang string) view.CatalogLink {
	return view.CatalogLink{Href: "/potrebuji-vyridit/" + s.Category + "/" + s.Slug,
		Title: local(s.Title, lang), Summary: local(s.Summary, lang)}
}

func categoryView(c catalog.Category, lang string) view.CatalogCategory {
	return view.CatalogCategory{Slug: c.Slug, Name: local(c.Name, lang), Description: local(c.Description, lang)}
}

// catalogIndex is /potrebuji-vyridit: every category with its situations.
func (h *Handlers) catalogIndex(w http.ResponseWriter, r *http.Request) {
	tenantID, lang := Principal(r.Context()).TenantID, formLang(r)
	cats, err := h.Catalog.Categories(r.Context(), tenantID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	all, err := h.Catalog.All(r.Context(), tenantID, lang)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	bySlug := map[string][]view.CatalogLink{}
	for _, s := range all {
		bySlug[s.Category] = append(bySlug[s.Category], situationLink(s, lang))
	}
	var d view.CatalogData
	for _, c := range cats {
		if len(bySlug[c.Slug]) == 0 {
			continue // a category with nothing published yet
		}
		cv := categoryView(c, lang)
		cv.Situations = bySlug[c.Slug]
		d.Categories = append(d.Categories, cv)
	}
	h.Render(w, r, http.StatusOK, view.CatalogPage(h.Page(r, h.T(r, "catalog.title")), d))
}

// catalogCategory is /potrebuji-vyridit/{category}.
func (h *Handlers) catalogCategory(w http.ResponseWriter, r *http.Request) {
	tenantID, lang := Principal(r.Context()).TenantID, formLang(r)
	slug := r.PathValue("category")
	if !catalog.ValidSlug(slug) {
		h.fail(w, r, derr.ErrNotFound)
		return
	}
	c, err := h.Catalog.Category(r.Context(), tenantID, slug)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	list, err := h.Catalog.ByCategory(r.Context(), tenantID, slug, lang)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cv := categoryView(*c, lang)
	for _, s := range list {
		cv.Situations = append(cv.Situations, situationLink(s, lang))
	}
	h.Render(w, r, http.StatusOK, view.CatalogCategoryPage(h.Page(r, cv.Name.Text), view.CatalogCategoryData{Category: cv}))
}

// situation is /potrebuji-vyridit/{category}/{slug}. A situation asked
// for under another category is sent to its own address.
func (h *Handlers) situation(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tenantID, lang := Principal(ctx).TenantID, formLang(r)
	slug, category := r.PathValue("slug"), r.PathValue("category")
	if !catalog.ValidSlug(slug) || !catalog.ValidSlug(category) {
		h.fail(w, r, derr.ErrNotFound)
		return
	}
	s, err := h.Catalog.BySlug(ctx, tenantID, slug)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if s.Category != category {
		http.Redirect(w, r, "/potrebuji-vyridit/"+s.Category+"/"+s.Slug, http.StatusMovedPermanently)
		return
	}
	c, err := h.Catalog.Category(ctx, tenantID, s.Category)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := view.SituationData{
		Category: categoryView(*c, lang), Title: local(s.Title, lang), Summary: local(s.Summary, lang), Body: local(s.Body, lang),
		Who: local(s.Details.Who, lang), Bring: locals(s.Details.Bring, lang), Where: local(s.Details.Where, lang),
		MapQuery: catalog.MapQuery(s.Details.Where.CS), Department: s.Details.Department,
		Hours: local(s.Details.Hours, lang), Cost: local(s.Details.Cost, lang), Deadlines: local(s.Details.Deadlines, lang),
		LegalBasis: locals(s.Details.LegalBasis, lang),
		Contact:    view.SituationContact{Department: s.Details.Contact.Department, Email: s.Details.Contact.Email, Phone: s.Details.Contact.Phone},
	}
	if len(s.Details.Forms) > 0 {
		// Only forms the town offers are linked.
		forms, err := h.Forms.List(ctx, tenantID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		offered := map[string]form.Form{}
		for _, f := range forms {
			if len(f.Definition.Steps) > 0 {
				offered[f.Slug] = f
			}
		}
		for _, fs := range s.Details.Forms {
			if f, ok := offered[fs]; ok {
				d.Forms = append(d.Forms, view.SituationForm{Slug: f.Slug,
					Title: local(catalog.Text{CS: f.Definition.Title.CS, EN: f.Definition.Title.EN}, lang)})
			}
		}
	}
	for _, rel := range s.Details.Related {
		rs, err := h.Catalog.BySlug(ctx, tenantID, rel)
		if err == nil {
			d.Related = append(d.Related, situationLink(*rs, lang))
		} else if StatusOf(err) != http.StatusNotFound {
			h.fail(w, r, err)
			return
		}
	}
	h.Render(w, r, http.StatusOK, view.SituationPage(h.Page(r, d.Title.Text), d))
}

// az is /a-z: every published situation by letter, in the language's order.
func (h *Handlers) az(w http.ResponseWriter, r *http.Request) {
	tenantID, lang := Principal(r.Context()).TenantID, formLang(r)
	all, err := h.Catalog.All(r.Context(), tenantID, lang)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var d view.AZData
	for _, g := range catalog.ByLetter(all, lang) {
		vg := view.AZGroup{Letter: g.Letter}
		for _, s := range g.Situations {
			vg.Situations = append(vg.Situations, situationLink(s, lang))
		}
		d.Groups = append(d.Groups, vg)
	}
	h.Render(w, r, http.StatusOK, view.AZPage(h.Page(r, h.T(r, "catalog.az.title")), d))
}
