package monitoring

import (
	"reflect"
	"testing"
)

// fillWarnings sets every threshold family of the struct *p to a warning
// and a critical level, by reflection, so that a family added later is
// covered too.
func fillWarnings(t *testing.T, p any) reflect.Value {
	t.Helper()
	v := reflect.ValueOf(p).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Type() {
		case reflect.TypeFor[*Thresholds]():
			f.Set(reflect.ValueOf(&Thresholds{Warning: val(1), Critical: val(2)}))
		case reflect.TypeFor[*LatencyThresholds]():
			f.Set(reflect.ValueOf(&LatencyThresholds{Statistic: "p99", Thresholds: Thresholds{Warning: val(1), Critical: val(2)}}))
		default:
			t.Fatalf("%s.%s is a %s: teach WithoutWarnings and this test about it", v.Type(), v.Type().Field(i).Name, f.Type())
		}
	}
	return v
}

// checkNoWarnings fails for a family of the struct v that kept its warning
// or lost its critical level.
func checkNoWarnings(t *testing.T, v reflect.Value) {
	t.Helper()
	for i := range v.NumField() {
		var th *Thresholds
		switch x := v.Field(i).Interface().(type) {
		case *Thresholds:
			th = x
		case *LatencyThresholds:
			th = &x.Thresholds
			if x.Statistic != "p99" {
				t.Errorf("%s: statistic %q; want p99 kept", v.Type().Field(i).Name, x.Statistic)
			}
		}
		if th == nil || th.Warning != nil || th.Critical == nil || *th.Critical != 2 {
			t.Errorf("%s = %+v; want the critical level (2) only", v.Type().Field(i).Name, th)
		}
	}
}

func TestWithoutWarnings_KeepsOnlyCriticalLevelsOfEveryFamily(t *testing.T) {
	var e EndpointAlarms
	orig := fillWarnings(t, &e)
	got := e.WithoutWarnings()
	checkNoWarnings(t, reflect.ValueOf(&got).Elem())
	if e.CPUUtilization.Warning == nil || orig.Field(0).IsNil() {
		t.Error("WithoutWarnings changed the thresholds it was given; want a copy")
	}
	var n NotebookAlarms
	fillWarnings(t, &n)
	gotN := n.WithoutWarnings()
	checkNoWarnings(t, reflect.ValueOf(&gotN).Elem())
}
