package main

import "testing"

func TestNewPlan(t *testing.T) {
	tests := []struct {
		name      string
		size      int
		failing   int
		bigOthers int
	}{
		{name: "ci size", size: 1000, failing: 20, bigOthers: 500},
		{name: "10k", size: 10000, failing: 200, bigOthers: 5000},
		{name: "30k", size: 30000, failing: 600, bigOthers: 5000},
		{name: "odd size", size: 1234, failing: 24, bigOthers: 617},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPlan(tc.size)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Pods(); got != tc.size {
				t.Errorf("pods = %d, want %d", got, tc.size)
			}
			failing, seenFault := 0, map[string]bool{}
			names := map[string]bool{}
			for _, d := range p.Deploys {
				if d.Replicas <= 0 {
					t.Errorf("%s/%s has %d replicas", d.Namespace, d.Name, d.Replicas)
				}
				key := d.Namespace + "/" + d.Name
				if names[key] {
					t.Errorf("%s twice", key)
				}
				names[key] = true
				if d.Fault != "" {
					failing += d.Replicas
					seenFault[d.Fault] = true
				}
			}
			if failing != tc.failing || p.Failing != tc.failing {
				t.Errorf("failing = %d (plan says %d), want %d", failing, p.Failing, tc.failing)
			}
			for _, f := range Faults {
				if !seenFault[f] {
					t.Errorf("no deployment fails with %s", f)
				}
			}
			// BigNS: the healthy pods plus whichever failing deployments
			// landed there.
			if p.BigOthers < tc.bigOthers || p.BigOthers > tc.bigOthers+tc.failing {
				t.Errorf("BigOthers = %d, want about %d", p.BigOthers, tc.bigOthers)
			}
			if !names[BigNS+"/"+OneName] || !names[SoloNS+"/"+OneName] {
				t.Errorf("deploy/one missing from %s or %s", BigNS, SoloNS)
			}
		})
	}
	if _, err := NewPlan(10); err == nil {
		t.Error("NewPlan(10) did not fail")
	}
}
