package view

import (
	"strings"
	"testing"
)

func TestMarkdown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"paragraphs", "Jedna\ndvě\n\nTři", "<p>Jedna dvě</p>\n<p>Tři</p>\n"},
		{"heading", "## Postup\nText", "<h3>Postup</h3>\n<p>Text</p>\n"},
		{"numbered", "1. a\n2. **b**\n   dál", "<ol><li>a</li><li><strong>b</strong> dál</li></ol>\n"},
		{"bulleted", "- a\n* b\n\nKonec", "<ul><li>a</li><li>b</li></ul>\n<p>Konec</p>\n"},
		{"link", "Viz [formulář](/formulare) a [web](https://example.cz/a?b=1&c=2).",
			`<p>Viz <a href="/formulare">formulář</a> a <a href="https://example.cz/a?b=1&amp;c=2">web</a>.</p>` + "\n"},
		{"script", "<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"},
		{"img onerror", `<img src=x onerror="alert(1)">`, "<p>&lt;img src=x onerror=&#34;alert(1)&#34;&gt;</p>\n"},
		{"javascript link", "[klikni](javascript:alert(1))", "<p>klikni)</p>\n"},
		{"javascript upper", "[x](JaVaScRiPt:alert`1`)", "<p>x</p>\n"},
		{"data link", "[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>x</p>\n"},
		{"protocol relative", "[x](//evil.example)", "<p>x</p>\n"},
		{"control char", "[x](java\tscript:alert)", "<p>x</p>\n"},
		{"quote in href", `[x](https://a.cz/"onmouseover="alert)`, `<p><a href="https://a.cz/&#34;onmouseover=&#34;alert">x</a></p>` + "\n"},
		{"html in link text", "[<b>x</b>](/a)", `<p><a href="/a">&lt;b&gt;x&lt;/b&gt;</a></p>` + "\n"},
		{"unclosed bold", "**a", "<p>**a</p>\n"},
		{"heading script", "# <script>", "<h3>&lt;script&gt;</h3>\n"},
	} {
		if got := MarkdownHTML(tc.in); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
	// Whatever the input, no tag but ours comes out.
	hostile := "<iframe src=x></iframe>\n- <svg onload=alert(1)>\n1. [a](vbscript:x)\n**<style>**"
	out := MarkdownHTML(hostile)
	for _, bad := range []string{"<iframe", "<svg", "<style", "vbscript", "href"} {
		if strings.Contains(out, bad) {
			t.Errorf("%q passed: %s", bad, out)
		}
	}
}
