package report

import (
	"fmt"
	"html/template"
	"io"

	"github.com/sagesize/sagesize/sizing"
)

// HTML writes r as a self-contained HTML page: the Markdown report's
// content as tables plus the charts, embedded as base64 PNG.
func HTML(w io.Writer, r *sizing.Result) error {
	cs, err := charts(r)
	if err != nil {
		return err
	}
	tmpl, err := template.New("report").Funcs(template.FuncMap{
		"rate": sizing.FormatRate, "ms": sizing.FormatMillis, "usd": sizing.FormatUSD,
		"pct": sizing.FormatPercent, "util": sizing.FormatUtil, "state": stepState,
		"uri":    func(s string) template.URL { return template.URL(s) },
		"stream": func(c sizing.CandidateResult) *table { return streamTable(r, c) },
	}).Parse(htmlTemplate + tableTemplate)
	if err != nil {
		return fmt.Errorf("report: parsing HTML template: %w", err)
	}
	kt := kneeTable(r)
	tables := []*table{&kt}
	if tt := tokenTable(r); tt != nil {
		tables = []*table{tt, &kt}
	}
	data := struct {
		R      *sizing.Result
		Rec    *sizing.CandidateResult
		Charts []chart
		Tables []*table
		SLO    string
		Target string
	}{r, r.Recommendation(), cs, tables, sloText(r), targetText(r)}
	if err := tmpl.Execute(w, data); err != nil {
		return fmt.Errorf("report: writing HTML: %w", err)
	}
	return nil
}

const htmlTemplate = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Sizing report: {{.R.Endpoint}}</title>
<style>
body{font-family:sans-serif;margin:2em;max-width:1150px}
table{border-collapse:collapse;margin:1em 0;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}
th{background:#f3f3f3} td.l{text-align:left}
.ok{color:#070}.bad{color:#a00}.warn{color:#a60}
img{display:block;margin:1em 0;border:1px solid #ddd}
</style></head><body>
<h1>Sizing report: {{.R.Endpoint}}</h1>
<ul>
<li>SLO: {{.SLO}}</li>
<li>Max error rate: {{pct .R.MaxErrorRate}}</li>
<li>Target: {{.Target}}</li>
<li>Sizing endpoint cost: {{.R.Cost}}</li>
</ul>
<h2>Recommendation</h2>
{{if .Rec}}<p class="ok"><b>{{.Rec.Variant}}</b> ({{.Rec.InstanceType}}): {{.Rec.InstancesForTarget}} instances, {{usd .Rec.FleetCostPerHour}}/h.</p>
{{else}}<p class="bad"><b>None.</b></p>{{end}}
<ul>{{range .R.Reasons}}<li>{{.}}</li>{{end}}</ul>
{{if .R.Problems}}<h2>Problems</h2><ul class="bad">{{range .R.Problems}}<li>{{.}}</li>{{end}}</ul>{{end}}
<h2>Charts</h2>
{{range .Charts}}<img alt="{{.Title}}" src="{{uri .DataURI}}">{{end}}
<h2>Comparison</h2>
<table><tr><th>variant</th><th>instance</th><th>count</th><th>sustainable req/s</th><th>per instance</th><th>CPU</th><th>memory</th><th>GPU</th><th>GPU memory</th><th>$/h</th><th>$ per million</th><th>instances for target</th><th>fleet $/h</th></tr>
{{range .R.Candidates}}{{if .Sustains}}<tr><td class="l">{{.Variant}}</td><td class="l">{{.InstanceType}}</td><td>{{.InstanceCount}}</td><td>{{rate .SustainableRate}}</td><td>{{rate .SustainablePerInstance}}</td><td>{{util .CPU}}</td><td>{{util .Memory}}</td><td>{{util .GPU}}</td><td>{{util .GPUMemory}}</td><td>{{usd .CostPerHour}}</td><td>{{usd .CostPerMillion}}</td><td>{{.InstancesForTarget}}</td><td>{{usd .FleetCostPerHour}}</td></tr>
{{else}}<tr><td class="l">{{.Variant}}</td><td class="l">{{.InstanceType}}</td><td>{{.InstanceCount}}</td><td>none</td><td>–</td><td>–</td><td>–</td><td>–</td><td>–</td><td>{{usd .CostPerHour}}</td><td>–</td><td>–</td><td>–</td></tr>
{{end}}{{end}}</table>
{{range .Tables}}{{template "table" .}}{{end}}
{{range .R.Candidates}}<h2>{{.Variant}} ({{.InstanceType}} × {{.InstanceCount}})</h2>
{{if .Notes}}<ul>{{range .Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
<table><tr><th>planned req/s</th><th>achieved req/s</th><th>client p50 ms</th><th>client p99 ms</th><th>model p99 ms</th><th>overhead p99 ms</th><th>requests</th><th>errors</th><th>throttles</th><th>error rate</th><th>CPU</th><th>memory</th><th>GPU</th><th>GPU memory</th><th>holds</th><th>why not</th></tr>
{{range .Steps}}<tr><td>{{rate .PlannedRate}}</td><td>{{rate .AchievedRate}}</td><td>{{ms .ClientP50}}</td><td>{{ms .ClientP99}}</td><td>{{ms .ModelP99}}</td><td>{{ms .OverheadP99}}</td><td>{{.Requests}}</td><td>{{.Errors}}</td><td>{{.Throttles}}</td><td>{{pct .ErrorRate}}</td><td>{{util .CPU}}</td><td>{{util .Memory}}</td><td>{{util .GPU}}</td><td>{{util .GPUMemory}}</td><td class="{{if .Holds}}ok{{else if .Incomplete}}warn{{else}}bad{{end}}">{{state .}}</td><td class="l">{{range $i, $w := .Why}}{{if $i}}; {{end}}{{$w}}{{end}}</td></tr>
{{end}}</table>
{{with stream .}}{{template "table" .}}{{end}}
{{end}}</body></html>
`

const tableTemplate = `{{define "table"}}{{if .Title}}<h2>{{.Title}}</h2>{{end}}{{if .Note}}<p>{{.Note}}</p>{{end}}
<table><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range $i, $c := .}}<td{{if not $i}} class="l"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</table>{{end}}`
