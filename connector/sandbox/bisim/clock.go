package bisim

import "time"

const (
	dateLayout = "2006-01-02"
	// authTimeLayout is the Authorization "time": UTC, no offset, no fraction.
	authTimeLayout = "2006-01-02T15:04:05"
	payloadNow     = "20060102150405"
	// wireTimeLayout is the response "time": Danish local time with offset.
	wireTimeLayout = "2006-01-02T15:04:05-07:00"
)

// copenhagen returns t in Danish local time. The EU summer-time rule (last
// Sunday of March to last Sunday of October, switching at 01:00 UTC) is coded
// here instead of loading tzdata, which a Windows host may lack.
func copenhagen(t time.Time) time.Time {
	t = t.UTC()
	y := t.Year()
	start := lastSunday(y, time.March)
	end := lastSunday(y, time.October)
	if !t.Before(start) && t.Before(end) {
		return t.In(time.FixedZone("CEST", 2*3600))
	}
	return t.In(time.FixedZone("CET", 3600))
}

// lastSunday is 01:00 UTC on the last Sunday of the month.
func lastSunday(year int, m time.Month) time.Time {
	d := time.Date(year, m+1, 1, 1, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	return d.AddDate(0, 0, -int(d.Weekday()))
}

// dayStart is local midnight in Copenhagen of the date, as an instant.
func dayStart(date time.Time) time.Time {
	utcMidnight := time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.UTC)
	_, off := copenhagen(utcMidnight).Zone()
	return utcMidnight.Add(-time.Duration(off) * time.Second)
}

// localDate is the Danish calendar date of t at 00:00 UTC (a pure date value).
func localDate(t time.Time) time.Time {
	l := copenhagen(t)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

func (s *Server) bankDay(d time.Time) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !s.c.holidays[d.Format(dateLayout)]
}

// nextBankDay is the first bank day on or after d.
func (s *Server) nextBankDay(d time.Time) time.Time {
	for i := 0; i < 366 && !s.bankDay(d); i++ {
		d = d.AddDate(0, 0, 1)
	}
	return d
}
