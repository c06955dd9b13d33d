// The container-management contract, generated from the Rust types (see ipc/bindings.ts).
export type {
  ActionFailure,
  ActionReport,
  ContainerAction,
  ContainerDetails,
  ContainerPruneReport,
  MountInfo,
  StatsSample,
} from "../../ipc/bindings";
