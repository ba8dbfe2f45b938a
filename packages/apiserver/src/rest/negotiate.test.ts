import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { negotiate } from './negotiate.js';

describe('negotiate', () => {
  it('picks a Table for kubectl get', () => {
    expect(
      negotiate(
        'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
      ).representation,
    ).toBe('table');
  });
  it('answers JSON to protobuf-preferring clients that also accept JSON', () => {
    expect(negotiate('application/vnd.kubernetes.protobuf, */*')).toEqual({ representation: 'object', yaml: false });
  });
  it('serves PartialObjectMetadata and YAML', () => {
    expect(negotiate('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io').representation).toBe(
      'partial',
    );
    expect(negotiate('application/yaml').yaml).toBe(true);
  });
  it('refuses what it cannot produce with 406', () => {
    expect(() => negotiate('text/html')).toThrow(ApiError);
    expect(() => negotiate('text/plain')).toThrow(ApiError);
  });
  it('accepts the media types an endpoint also produces (a pod log: text/plain, text/*)', () => {
    expect(negotiate('text/plain', ['text/plain'])).toEqual({ representation: 'object', yaml: false });
    expect(negotiate('text/*', ['text/plain'])).toEqual({ representation: 'object', yaml: false });
    expect(() => negotiate('text/html', ['text/plain'])).toThrow(ApiError);
  });
});
