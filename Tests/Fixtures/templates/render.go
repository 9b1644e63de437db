package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"text/template"
)

type tcase struct {
	Name     string            `json:"name"`
	Env      map[string]string `json:"env"`
	Template string            `json:"template"`
}

func main() {
	var cases []tcase
	b, _ := os.ReadFile(os.Args[1])
	if err := json.Unmarshal(b, &cases); err != nil {
		panic(err)
	}
	out := []map[string]string{}
	for _, c := range cases {
		env := c.Env
		funcs := template.FuncMap{
			"env": func(keys ...string) string {
				v := ""
				for _, k := range keys {
					v = env[k]
					if v != "" {
						return v
					}
					v = k
				}
				return v
			},
			"must_env": func(key string) string {
				if v, ok := env[key]; ok {
					return v
				}
				panic(fmt.Sprintf("environment variable %s is not defined", key))
			},
			"json_escape": func(s string) string {
				b, _ := json.Marshal(s)
				return string(b[1 : len(b)-1])
			},
		}
		r := map[string]string{"name": c.Name}
		t, err := template.New("conf").Funcs(funcs).Parse(c.Template)
		if err != nil {
			r["error"] = err.Error()
		} else {
			var buf bytes.Buffer
			if err := t.Execute(&buf, nil); err != nil {
				r["error"] = err.Error()
			} else {
				r["output"] = buf.String()
			}
		}
		out = append(out, r)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	enc.Encode(out)
}
