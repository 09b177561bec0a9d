package form

import "github.com/radnice/radnice/internal/db"

// Store reads and writes a town's forms and their versions.
type Store struct {
	DB *db.DB
}
