package kbsim

import "time"

const dateLayout = "2006-01-02"

// prague returns t in Czech local time. The EU summer-time rule (last Sunday
// of March to last Sunday of October, switching at 01:00 UTC) is coded here
// instead of loading tzdata, which a Windows host may lack.
func prague(t time.Time) time.Time {
	t = t.UTC()
	y := t.Year()
	if !t.Before(lastSunday(y, time.March)) && t.Before(lastSunday(y, time.October)) {
		return t.In(time.FixedZone("CEST", 2*3600))
	}
	return t.In(time.FixedZone("CET", 3600))
}

// lastSunday is 01:00 UTC on the last Sunday of the month.
func lastSunday(year int, m time.Month) time.Time {
	d := time.Date(year, m+1, 1, 1, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	return d.AddDate(0, 0, -int(d.Weekday()))
}

// pragueDate is the Czech calendar date of t, "2006-01-02".
func pragueDate(t time.Time) string { return prague(t).Format(dateLayout) }

// dayStart is local midnight in Prague of a "2006-01-02" date, as an instant.
func dayStart(date string) (time.Time, bool) {
	d, err := time.Parse(dateLayout, date)
	if err != nil {
		return time.Time{}, false
	}
	_, off := prague(d).Zone()
	return d.Add(-time.Duration(off) * time.Second), true
}
