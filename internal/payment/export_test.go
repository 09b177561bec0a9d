package payment

// FailAt makes the named step fail, as a crash there would (tests only).
func (s *Service) FailAt(f func(step string) error) { s.failAt = f }
