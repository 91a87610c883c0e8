// Package conventions holds no code: its tests check conventions of the
// module's own source that go vet does not, such as the length of a
// function.
package conventions
