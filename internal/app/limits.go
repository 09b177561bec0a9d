package app

// mergeLimits joins the faces' own body limits by route pattern (each
// face names only its own routes).
func mergeLimits(faces ...map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for _, f := range faces {
		for pattern, n := range f {
			out[pattern] = n
		}
	}
	return out
}
