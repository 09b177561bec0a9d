package view

import (
	"context"
	"html"
	"io"
	"net/url"
	"regexp"
	"strings"

	"github.com/a-h/templ"
)

// Markdown renders a small, safe subset of Markdown: paragraphs, headings
// (# to ######, shown from h3 down, as the page owns h1 and h2), bulleted
// (-, *, +) and numbered (1.) lists, **bold** and [links](url) to http,
// https or a relative address. Everything else is text: every character
// of the source is escaped, so no raw HTML passes, and a link to any other
// scheme (javascript:, data:) keeps its text and loses its link.
func Markdown(src string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, MarkdownHTML(src))
		return err
	})
}

var (
	mdHeading = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	mdBullet  = regexp.MustCompile(`^\s{0,3}[-*+]\s+(.*)$`)
	mdNumber  = regexp.MustCompile(`^\s{0,3}\d{1,9}[.)]\s+(.*)$`)
)

// MarkdownHTML is Markdown's HTML as a string.
func MarkdownHTML(src string) string {
	src = strings.ReplaceAll(strings.ReplaceAll(src, "\r\n", "\n"), "\r", "\n")
	var b strings.Builder
	var para []string // lines of the paragraph being read
	list := ""        // "ul" or "ol" while in a list
	var item []string // lines of the list item being read
	flushItem := func() {
		if item != nil {
			b.WriteString("<li>" + inline(strings.Join(item, " ")) + "</li>")
			item = nil
		}
	}
	closeList := func() {
		flushItem()
		if list != "" {
			b.WriteString("</" + list + ">\n")
			list = ""
		}
	}
	flushPara := func() {
		if para != nil {
			b.WriteString("<p>" + inline(strings.Join(para, " ")) + "</p>\n")
			para = nil
		}
	}
	for _, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			flushPara()
			closeList()
			continue
		}
		if m := mdHeading.FindStringSubmatch(trimmed); m != nil {
			flushPara()
			closeList()
			level := min(max(len(m[1])+1, 3), 6)
			tag := "h" + string(rune('0'+level))
			b.WriteString("<" + tag + ">" + inline(m[2]) + "</" + tag + ">\n")
			continue
		}
		kind, text := "", ""
		if m := mdBullet.FindStringSubmatch(line); m != nil {
			kind, text = "ul", m[1]
		} else if m := mdNumber.FindStringSubmatch(line); m != nil {
			kind, text = "ol", m[1]
		}
		switch {
		case kind != "":
			flushPara()
			if list != kind {
				closeList()
				list = kind
				b.WriteString("<" + kind + ">")
			}
			flushItem()
			item = []string{strings.TrimSpace(text)}
		case list != "":
			// A line that goes on an item.
			item = append(item, trimmed)
		default:
			para = append(para, trimmed)
		}
	}
	flushPara()
	closeList()
	return b.String()
}

// inline renders **bold** and [links](url) in escaped text.
func inline(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "**") {
			if end := strings.Index(s[i+2:], "**"); end > 0 {
				b.WriteString("<strong>" + inline(s[i+2:i+2+end]) + "</strong>")
				i += 4 + end
				continue
			}
		}
		if s[i] == '[' {
			if mid := strings.Index(s[i:], "]("); mid > 1 {
				if end := strings.IndexByte(s[i+mid+2:], ')'); end >= 0 {
					text := s[i+1 : i+mid]
					href := s[i+mid+2 : i+mid+2+end]
					if safeHref(href) {
						b.WriteString(`<a href="` + html.EscapeString(href) + `">` + inline(text) + "</a>")
					} else {
						b.WriteString(inline(text))
					}
					i += mid + 3 + end
					continue
				}
			}
		}
		// One character (a whole UTF-8 sequence is copied byte by byte,
		// and only ASCII needs escaping).
		b.WriteString(html.EscapeString(s[i : i+1]))
		i++
	}
	return b.String()
}

// safeHref admits http, https and relative addresses (not protocol
// relative ones), with no spaces or control characters that browsers
// would strip before reading the scheme.
func safeHref(href string) bool {
	if href == "" || strings.HasPrefix(href, "//") {
		return false
	}
	for _, r := range href {
		if r <= ' ' || r == 0x7f || r == '\\' {
			return false
		}
	}
	u, err := url.Parse(href)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.Host != ""
	case "":
		// No scheme: a colon before any slash would be read as one.
		first, _, _ := strings.Cut(href, "/")
		return !strings.Contains(first, ":")
	}
	return false
}
