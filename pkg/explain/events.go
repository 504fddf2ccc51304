package explain

// EventReasonsRead are the event reasons the rules read, by name: in
// eventsFor and lastEvent calls and in comparisons of an event's Reason.
// TestEventReasonsRead keeps this list true to the rule files and apart
// from graph.RoutineEventReasons, which the collector asks the apiserver to
// leave out: a reason a rule reads must never be filtered away. Warning
// events are read whatever their reason (activeWarnings, hasWarnings), and
// no routine reason is a Warning.
var EventReasonsRead = []string{
	"BackOff", "ErrImageNeverPull", "Failed", "FailedAttachVolume", "FailedCreate",
	"FailedCreatePodSandBox", "FailedDaemonPod", "FailedMapVolume", "FailedMount",
	"FailedScheduling", "InspectFailed", "InvalidSchedule", "JobAlreadyActive", "Killing",
	"MissSchedule", "Preempted", "Preempting", "Pulled", "Pulling", "TooManyMissedTimes",
	"UnParseableCronJobSchedule", "Unhealthy", "UnknownTimeZone", "UnparseableSchedule",
}

// EventObjectKinds are the kinds whose events rules read (EventsFor): a
// pod's own, its controller's FailedCreate and the claims it mounts. A
// Deployment's events are all ScalingReplicaSet, which no rule reads.
var EventObjectKinds = []string{"Pod", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "PersistentVolumeClaim"}
