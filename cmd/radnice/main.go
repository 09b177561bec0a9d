// Command radnice is the Radnice citizen portal: one binary that serves the
// portal, runs its jobs, migrates its database and seeds demo towns.
package main

import (
	"os"

	_ "time/tzdata" // times are shown in Europe/Prague even where the system has no zone files

	"github.com/radnice/radnice/internal/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:], os.Stdout, os.Stderr))
}
