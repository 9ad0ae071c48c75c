package zoo_test

import (
	"os"
	"strings"
)

func readLines(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return strings.Fields(strings.ReplaceAll(string(data), " ", "_")), nil
}
